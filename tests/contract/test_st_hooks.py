"""The body mapping that keeps webhook-subscription creates from deleting themselves (issue 12)."""

from __future__ import annotations

import pytest

from mypref_harness.contract.st_hooks import is_subscription_create, subscription_create_body


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/{clientId}/Webhooks/Subscriptions", True),
        ("post", "/{clientId}/webhooks/subscriptions/", True),
        ("PUT", "/{clientId}/Webhooks/Subscriptions/{subscriptionId}", False),
        ("GET", "/{clientId}/Webhooks/Subscriptions", False),
        ("POST", "/{clientId}/Profile", False),
    ],
)
def test_only_the_subscription_create_is_mapped(method, path, expected):
    assert is_subscription_create(method, path) is expected


def test_a_create_with_isactive_false_keeps_its_subscription():
    body = {"Name": "n", "Url": "https://x.example", "IsActive": False}
    assert subscription_create_body(body) == {**body, "IsActive": True}
    assert body["IsActive"] is False  # the generated value itself is not mutated


@pytest.mark.parametrize("body", [{"IsActive": True}, {"Name": "n"}, {"IsActive": "false"}, 0, None, []])
def test_other_bodies_are_left_alone(body):
    assert subscription_create_body(body) == body
