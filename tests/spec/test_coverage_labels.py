"""Issue 12: no false positive_data_acceptance from the spec itself.

Schemathesis's coverage phase labels a case "positive" from its mutated component; when it cannot produce
any positive body for an operation, its positive path/query cases carry a negative body (the webhook
update with body ``0``, which a correct server rightly rejects with 400). Every body schema of the spec
must therefore be one the coverage generator can satisfy. No request is sent.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import Config
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode

from mypref_harness import resources

BASE = "http://127.0.0.1:9/Profiles/v4"  # never contacted
WEBHOOK_OPERATIONS = {"createWebhookSubscription", "updateWebhookSubscription"}


def mislabelled_cases(only: set[str] | None = None) -> dict[str, int]:
    """operationId -> coverage cases labelled positive whose body was generated as negative data."""
    schema = schemathesis.openapi.from_path(
        str(resources.spec_file()), config=Config.from_dict({"base-url": BASE})
    )
    found: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operation_id = operation.definition.raw["operationId"]
        if not operation.body or (only is not None and operation_id not in only):
            continue
        config = schema.config.generation_for(operation=operation, phase="coverage")
        cases = schema.iter_coverage_cases(
            operation, generation_modes=list(GenerationMode), generation_config=config
        )
        for case in cases:
            body = case.meta.components.get(ParameterLocation.BODY)
            if (
                case.meta.generation.mode is GenerationMode.POSITIVE
                and body
                and body.mode is GenerationMode.NEGATIVE
            ):
                found[operation_id] = found.get(operation_id, 0) + 1
    return found


def test_webhook_bodies_have_positive_coverage_cases():
    assert mislabelled_cases(WEBHOOK_OPERATIONS) == {}


@pytest.mark.slow
def test_no_operation_sends_a_negative_body_in_a_positive_coverage_case():
    assert mislabelled_cases() == {}
