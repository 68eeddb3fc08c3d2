"""The generator of the reconstructed spec: ``python -m tools.spec.generate [--check]``."""
