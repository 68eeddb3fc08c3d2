"""Everything that talks to Schemathesis: its run configuration, hooks, auth provider, progress,
reports, the spec it is given, and the pytest flavour of the suite.

Inside this package ``import schemathesis`` is the library (absolute imports), never this package.
"""
