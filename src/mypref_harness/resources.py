"""Every data file the harness ships, found one way.

The files live at the top of the repository, where people read and edit them: the reconstructed spec
(``contracts/openapi/``), the Schemathesis settings and hooks module (``contracts/``), the locustfile,
its shapes and the SLO defaults (``loadtests/``) and the auth vector corpus (``auth_vectors/``). The
wheel carries the same files as package data under ``mypref_harness/_data/`` with the same relative
paths (pyproject.toml, ``[tool.hatch.build.targets.wheel.force-include]``), so an installed harness
finds them through :mod:`importlib.resources`. A source checkout (the editable install ``make test``
uses) has no ``_data/``: there the same lookup falls back to the repository the package was loaded
from. Anything else that needs a shipped file asks this module; nothing counts ``parents[N]``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from mypref_harness.errors import ConfigError

PACKAGED_DIR = "_data"  # inside the mypref_harness package of an installed wheel

SPEC = "contracts/openapi/mypreferences-v4.yaml"
OAUTH_SPEC = "contracts/openapi/mypreferences-oauth.yaml"
SWAGGER2_SPEC = "contracts/openapi/mypreferences-v4.swagger2.json"
SCHEMATHESIS_CONFIG = "contracts/schemathesis.toml"
CONTRACT_HOOKS = "contracts/hooks.py"
LOCUSTFILE = "loadtests/locustfile.py"
SHAPES = "loadtests/shapes.py"
SLO_DEFAULTS = "loadtests/slo.toml"
VECTORS = "auth_vectors"

# What the wheel must carry (pyproject's force-include maps each to _data/<same path>); the wheel test
# checks every one of them after an install outside the checkout.
SHIPPED = (
    SPEC,
    OAUTH_SPEC,
    SWAGGER2_SPEC,
    SCHEMATHESIS_CONFIG,
    CONTRACT_HOOKS,
    LOCUSTFILE,
    SHAPES,
    SLO_DEFAULTS,
)


class MissingResource(ConfigError):
    """A file the harness ships is not where the install or the checkout should have it."""


def packaged_root() -> Path:
    """``mypref_harness/_data`` of this installation (it exists only in an installed wheel)."""
    return Path(str(files("mypref_harness").joinpath(PACKAGED_DIR)))


def checkout_root() -> Path:
    """The repository this package was loaded from, for a source checkout (``src/mypref_harness``)."""
    return Path(str(files("mypref_harness"))).parents[1]


def locate(relative: str) -> Path:
    """The shipped file or folder ``relative`` (a repository path such as ``loadtests/slo.toml``).

    The installed copy wins; a source checkout is the fallback. Neither: a MissingResource that names
    the file and both places looked, so a broken install says what it lacks.
    """
    places = (packaged_root(), checkout_root())
    for root in places:
        candidate = root / relative
        if candidate.exists():
            return candidate
    looked = " and ".join(str(root / relative) for root in places)
    raise MissingResource(f"{relative} is missing from this installation (looked in {looked})")


def spec_file() -> Path:
    """Our reconstructed MyPreferences v4 spec (OpenAPI 3.0), the default ``--spec``."""
    return locate(SPEC)


def oauth_spec_file() -> Path:
    return locate(OAUTH_SPEC)


def swagger2_spec_file() -> Path:
    """The same spec converted to Swagger 2.0 (a fixture for the official file's format)."""
    return locate(SWAGGER2_SPEC)


def schemathesis_config_file() -> Path:
    """The static Schemathesis settings each contract run merges its own into."""
    return locate(SCHEMATHESIS_CONFIG)


def contract_hooks_file() -> Path:
    """The module the Schemathesis subprocess loads (SCHEMATHESIS_HOOKS) to register our checks."""
    return locate(CONTRACT_HOOKS)


def locustfile() -> Path:
    return locate(LOCUSTFILE)


def shapes_file() -> Path:
    """The load shapes (smoke, ramp, spike, soak), passed to Locust beside the locustfile."""
    return locate(SHAPES)


def slo_file() -> Path:
    """The default SLOs of a load run (``--slo`` replaces it)."""
    return locate(SLO_DEFAULTS)


def vectors_dir() -> Path:
    """The PNAUTHINFO3 vector corpus (``auth_vectors/*.json``)."""
    return locate(VECTORS)
