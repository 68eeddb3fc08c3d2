"""Every auth check, in the order they run: the PNAUTHINFO3 checks, then the OAuth checks.

Importing the two check modules registers their checks (``@auth_check``, in definition order).
"""

from __future__ import annotations

# The modules whose import fills REGISTRY (imported by name: not through the package's __init__).
import mypref_harness.contract.auth_conformance.oauth_checks
import mypref_harness.contract.auth_conformance.pnauth_checks  # noqa: F401
from mypref_harness.contract.auth_conformance.registry import REGISTRY, AuthCheck

PNAUTH_CHECKS: tuple[AuthCheck, ...] = tuple(c for c in REGISTRY.values() if c.scheme == "pnauth")
OAUTH_CHECKS: tuple[AuthCheck, ...] = tuple(c for c in REGISTRY.values() if c.scheme == "oauth")
ALL_CHECKS: tuple[AuthCheck, ...] = PNAUTH_CHECKS + OAUTH_CHECKS


def checks_catching(defect: str) -> list[str]:
    """Ids of the checks that declare they catch ``defect``."""
    return [c.id for c in ALL_CHECKS if defect in c.catches]
