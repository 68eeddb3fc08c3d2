"""Every auth check, in the order they run: the PNAUTHINFO3 checks, then the OAuth checks.

Importing the two check modules registers their checks (``@auth_check``, in definition order).
"""

from __future__ import annotations

from mypref_harness.contract.auth_conformance import oauth_checks, pnauth_checks
from mypref_harness.contract.auth_conformance.registry import REGISTRY, AuthCheck

_REGISTERED_BY = (pnauth_checks, oauth_checks)  # the modules whose import fills REGISTRY

PNAUTH_CHECKS: tuple[AuthCheck, ...] = tuple(c for c in REGISTRY.values() if c.scheme == "pnauth")
OAUTH_CHECKS: tuple[AuthCheck, ...] = tuple(c for c in REGISTRY.values() if c.scheme == "oauth")
ALL_CHECKS: tuple[AuthCheck, ...] = PNAUTH_CHECKS + OAUTH_CHECKS


def checks_catching(defect: str) -> list[str]:
    """Ids of the checks that declare they catch ``defect``."""
    return [c.id for c in ALL_CHECKS if defect in c.catches]
