"""Schemathesis hooks of the MyPreferences contract suite.

Thin on purpose: the auth provider (PNAUTHINFO3 re-signing, OAuth bearer tokens), the hooks and the
custom checks live in ``mypref_harness.contract`` and are unit-tested there. The target is read from
the ``MYPREF_*`` environment variables (see docs/contract.md).

    SCHEMATHESIS_HOOKS=contracts/hooks.py schemathesis --config-file contracts/schemathesis.toml run ...
"""

from mypref_harness.contract.schemathesis.hooks import install

install()
