"""contracts/test_contract.py's machinery: the same suite as `mypref-harness contract`, inside pytest.

The schema is built exactly like the CLI run's (strict or lenient spec, pinned ClientId without
negative space, contracts/schemathesis.toml merged with the run settings), and the same auth
provider, hooks and custom checks are registered in-process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mypref_harness import resources
from mypref_harness.config import Target
from mypref_harness.contract.options import ALL_PHASES
from mypref_harness.contract.schemathesis.config import (
    client_id_parameter_names,
    load_base_config,
    run_config,
    state_conflict_overrides,
)
from mypref_harness.contract.schemathesis.hooks import install
from mypref_harness.contract.schemathesis.spec_transform import (
    drop_free_form_query_objects,
    lenient_spec,
    unconstrain_path_parameters,
)
from mypref_harness.contract.spec_document import load_spec_document
from mypref_harness.guards import is_loopback
from mypref_harness.preflight import preflight

ENV_MAX_EXAMPLES = "MYPREF_CONTRACT_MAX_EXAMPLES"
ENV_STRICT = "MYPREF_CONTRACT_STRICT"  # "1"/"0"; unset = strict on the embedded sandbox only
DEFAULT_PYTEST_MAX_EXAMPLES = 5


def _strict(target: Target, env: Mapping[str, str]) -> bool:
    raw = env.get(ENV_STRICT, "").strip().lower()
    if raw in ("1", "true", "yes", "strict"):
        return True
    if raw in ("0", "false", "no", "lenient"):
        return False
    return target.is_sandbox


def build_schema(target: Target, env: Mapping[str, str] | None = None) -> Any:
    """A Schemathesis schema for ``target`` (resolved), with our auth and checks installed."""
    import schemathesis

    env = os.environ if env is None else env
    offset = preflight(target).clock_offset
    install(target=target, clock_offset=offset)
    document = load_spec_document(target.spec)
    pinned = client_id_parameter_names(document, target.client_id_param)
    spec, _ = (dict(document), 0) if _strict(target, env) else lenient_spec(document)
    spec, _ = unconstrain_path_parameters(spec, set(pinned))
    spec, _ = drop_free_form_query_objects(spec)
    base = load_base_config(resources.schemathesis_config_file())
    max_examples = int(env.get(ENV_MAX_EXAMPLES, DEFAULT_PYTEST_MAX_EXAMPLES))
    config = run_config(
        base,
        hooks_path=Path("unused"),
        base_url=str(target.with_spec(document).spec_base_url),  # spec paths are appended as written
        client_id=str(target.client_id),
        client_id_params=pinned,
        max_examples=max_examples,
        seed=None,
        phases=ALL_PHASES,
        local_target=is_loopback(target.base_url),
        rate_limit=None,
        workers=1,
        operations=None if target.is_sandbox else state_conflict_overrides(base, spec),
    )
    for cli_only in ("hooks", "workers", "continue-on-failure"):
        config.pop(cli_only, None)
    return schemathesis.openapi.from_dict(spec, config=schemathesis.Config.from_dict(config))


# Schemathesis's lazy `from_fixture` loader fails under pytest 9 (it reads `node._nodeid`), so the
# schema is built at collection time and the target (an embedded sandbox, if no base URL is set) lives
# for the whole pytest session: contracts/conftest.py stops it in pytest_unconfigure.
_SESSION: dict[str, Any] = {}


def session_target() -> Target:
    if "target" not in _SESSION:
        from contextlib import ExitStack

        from mypref_harness.config import load_target
        from mypref_harness.embedded import resolved_target

        stack = ExitStack()
        _SESSION["stack"] = stack
        _SESSION["target"] = stack.enter_context(resolved_target(load_target()))
    return _SESSION["target"]


def session_schema() -> Any:
    if "schema" not in _SESSION:
        _SESSION["schema"] = build_schema(session_target())
    return _SESSION["schema"]


def close_session() -> None:
    stack = _SESSION.pop("stack", None)
    _SESSION.clear()
    if stack is not None:
        stack.close()
