"""The release gate: vectors -> contract -> auth conformance -> load smoke (-> profile drift), one verdict.

``model`` holds the options and results, ``stages`` one runner per stage (the suites are imported only
when a stage runs), ``summary`` and ``html`` render the results, ``reports`` writes every report file,
and ``run`` is the flow (``run_gate``). Import the module that defines a name; this file exports none.
"""
