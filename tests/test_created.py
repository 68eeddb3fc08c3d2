"""The id of a created resource: from the body, or from Location, whichever is present."""

from __future__ import annotations

import httpx
import pytest

from mypref_harness.created import CREATE_STATUSES, created_id, id_from_location, location_header


def test_both_documented_create_statuses_count_as_success():
    assert set(CREATE_STATUSES) == {200, 201}


def test_200_with_the_id_in_the_body():
    response = httpx.Response(200, json={"ProfileId": 1001, "CustomerName": {}})
    assert created_id(response.json(), location_header(response.headers)) == 1001


def test_201_with_only_a_location_header():
    response = httpx.Response(
        201, headers={"Location": "https://pm.example/Profiles/v4/ACME_CORP/Profile/4242"}
    )
    assert created_id(None, location_header(response.headers)) == 4242


def test_201_with_the_id_in_the_body_and_a_location():
    response = httpx.Response(
        201, json={"ProfileId": 7}, headers={"location": "/Profiles/v4/ACME_CORP/Profile/7"}
    )
    assert created_id(response.json(), location_header(response.headers)) == 7


def test_the_body_wins_when_both_are_present():
    assert created_id({"ProfileId": 5}, "/Profile/6") == 5


def test_other_id_members_and_non_numeric_ids():
    assert created_id({"Id": "501"}, None, key="Id") == 501
    assert created_id({}, "/Webhooks/Subscriptions/abc%2Ddef?x=1#top") == "abc-def"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (None, None),
        ({}, ""),
        ({"ProfileId": None}, "   "),
        ({"ProfileId": True}, None),  # a bool is not an id
        ({"ProfileId": ""}, "/"),
        ([{"ProfileId": 1}], None),  # a list body (a collection echo) has no single id
    ],
)
def test_no_id_anywhere_is_none(body, location):
    assert created_id(body, location) is None


def test_location_header_from_a_plain_dict_in_any_case():
    assert location_header({"LOCATION": "/x/9"}) == "/x/9"
    assert location_header({}) is None
    assert location_header(None) is None


def test_trailing_slash_in_location():
    assert id_from_location("/Profiles/v4/ACME_CORP/Profile/12/") == 12
