"""Maintainer tools that are not part of the installed harness (run them with ``python -m tools...``)."""
