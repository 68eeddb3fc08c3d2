"""spec.params: the ClientId path parameter found by name, or named by client_id_param."""

from __future__ import annotations

import pytest

from mypref_harness.spec.params import fill_client_id, is_client_id_param, is_profile_id_param


@pytest.mark.parametrize(
    ("name", "configured", "expected"),
    [
        ("clientId", None, True),
        ("ClientId", None, True),
        ("client_id", None, True),
        ("accountId", None, False),
        ("accountId", "AccountID", True),  # configured: any case
        ("clientId", "accountId", False),  # configured: the only ClientId parameter
    ],
)
def test_the_client_id_parameter_by_name_or_configured(
    name: str, configured: str | None, expected: bool
) -> None:
    assert is_client_id_param(name, configured) is expected


def test_the_profile_id_parameter_by_name() -> None:
    assert is_profile_id_param("ProfileId") and is_profile_id_param("profile_id")
    assert not is_profile_id_param("Id")


@pytest.mark.parametrize(
    ("template", "configured", "filled"),
    [
        ("/{clientId}/Programs", None, "/ACME%20CORP/Programs"),
        ("/{ClientId}/Profile/{profileId}", None, "/ACME%20CORP/Profile/{profileId}"),
        ("/{accountId}/Programs", None, "/{accountId}/Programs"),
        ("/{accountId}/Programs", "AccountId", "/ACME%20CORP/Programs"),
    ],
)
def test_fill_client_id(template: str, configured: str | None, filled: str) -> None:
    assert fill_client_id(template, "ACME CORP", configured) == filled
