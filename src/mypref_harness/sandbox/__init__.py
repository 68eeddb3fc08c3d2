"""The embedded MyPreferences v4 emulator ("sandbox").

An ASGI app (plain Starlette, served by uvicorn) that issues OAuth tokens, authenticates both documented
schemes (PNAUTHINFO3 and Bearer JWT), forwards authenticated requests under ``/Profiles/v4`` to the data
layer (``sandbox.api.DataApi``) and can be told to misbehave on purpose (faults and named defects).

Entry points: ``create_app(settings)`` (``sandbox.app``), ``serve(settings)`` (``sandbox.server``) and the
``running_sandbox`` context manager (``sandbox.process``) that tests and the harness use.
"""
