"""Which Schemathesis checks a contract run executes: its built-in ones and our custom checks."""

from __future__ import annotations

from mypref_harness.config import Target
from mypref_harness.contract.checks import CUSTOM_CHECKS
from mypref_harness.contract.options import ContractOptions
from mypref_harness.guards import is_loopback

# Schemathesis 4.x built-in checks that apply to OpenAPI (object_level_authorization is off in
# contracts/schemathesis.toml; max_response_time only runs when configured).
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
)


def enabled_checks(target: Target, options: ContractOptions) -> list[str]:
    """The checks a run executes (for the checks table when only the JSON/JUnit reports are read)."""
    names = list(options.checks) if options.checks else [*BUILTIN_CHECKS, *CUSTOM_CHECKS]
    local = is_loopback(target.base_url) if options.unexpected_methods is None else options.unexpected_methods
    excluded = set(options.exclude_checks) | (set() if local else {"unsupported_method"})
    return [n for n in names if n not in excluded]
