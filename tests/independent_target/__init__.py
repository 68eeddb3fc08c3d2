"""An independently written MyPreferences v4 server for measuring the harness's verdicts (issue 11).

It follows the vendor document (../shared/reference/mypreferences-v4-api-overview.txt) and makes its
own choices wherever the document is silent. Nothing here comes from ``mypref_harness.sandbox`` or the
harness's signer/verifier. See README.md in this folder for what it implements and what it chooses.
"""
