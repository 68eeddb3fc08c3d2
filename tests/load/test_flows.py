import json
import random
import re

import pytest

from mypref_harness.load.flows import IntegrationFlow, PreferenceCenterFlow, ProcessContext
from mypref_harness.load.integrity import (
    Ledger,
    Write,
    verify,
)
from mypref_harness.load.locust_auth import NoAuth, TokenUnavailable
from mypref_harness.load.scenarios import DEFAULT_MODEL, UniqueValues

from .helpers import FakeClient, our_templates

# How a create answers: (status, id in the body, Location header). The document allows all three.
CREATE_STYLES = {
    "201-body": (201, True, False),
    "200-body": (200, True, False),
    "201-location": (201, False, True),
}


class MiniApi:
    """Just enough of the API for the flows: config reads, create, update, lookups."""

    def __init__(self, drop_every=0, create_style="201-body"):
        self.profiles = {}
        self.next_id = 5000
        self.updates = 0
        self.drop_every = drop_every  # like the sandbox's lost-update defect
        self.create_style = create_style

    def __call__(self, method, url, headers, data):
        path = url.split("?")[0]
        body = json.loads(data) if data else None
        if path.endswith("/AlternateIdTypes"):
            return 200, {"AlternateIdTypes": [{"TypeId": 1, "TypeName": "CRM", "IsDefault": True}]}
        if path.endswith("/Programs"):
            return 200, {"Programs": [{"ProgramId": 1, "Name": "N", "Filters": [{"FilterId": "NEWS"}]}]}
        if path.endswith("/ConsentTypes"):
            return 200, {
                "ConsentTypes": [{"TypeId": 1, "TypeName": "TOS", "Versions": [{"ConsentVersion": "v2"}]}]
            }
        if path.endswith("/ProgramGroups"):
            return 200, {"ProgramGroups": []}
        if method == "POST" and path.endswith("/Profile"):
            self.next_id += 1
            self.profiles[self.next_id] = dict(body, ProfileId=self.next_id)
            status, with_body, with_location = CREATE_STYLES[self.create_style]
            location = {"Location": f"/Profiles/v4/ACME_CORP/Profile/{self.next_id}"} if with_location else {}
            return status, (self.profiles[self.next_id] if with_body else None), location
        m = re.search(r"/Profile/(\d+)$", path)
        if m and method == "POST":
            pid = int(m.group(1))
            self.updates += 1
            merged = json.loads(json.dumps(self.profiles[pid]))
            merged.setdefault("CustomerName", {}).update(body.get("CustomerName", {}))
            if not (self.drop_every and self.updates % self.drop_every == 0):
                self.profiles[pid] = merged
            return 200, merged
        if m:
            pid = int(m.group(1))
            return (200, self.profiles[pid]) if pid in self.profiles else (404, None)
        return 200, []

    def fetch(self, pid):
        return self.profiles.get(pid)


def context(seed_profiles=3, owned=1, absent_routes=frozenset()):
    from dataclasses import replace

    model = replace(DEFAULT_MODEL, seed_profiles=seed_profiles, owned_profiles=owned)
    return ProcessContext(
        client_id="ACME_CORP",
        templates=our_templates().templates,
        auth=NoAuth(),
        model=model,
        values=UniqueValues("run1", "p1", random.Random(1)),
        ledger=Ledger("p1"),
        rng=random.Random(2),
        absent_routes=absent_routes,
    )


# Routes a target does not have (the contract stage's route table: "not found"), as (METHOD, template).
ABSENT = frozenset(
    {
        ("GET", "/{clientId}/Profile/Email"),
        ("GET", "/{clientId}/Profile/{profileId}/History/Consents"),
        ("GET", "/{clientId}/AlternateIdTypes"),
    }
)


def test_routes_absent_on_the_target_are_never_sent_and_the_rest_runs():
    server = MiniApi()
    ctx = context(seed_profiles=2, absent_routes=ABSENT)
    client = FakeClient(server)
    integration, person = IntegrationFlow(client, ctx), PreferenceCenterFlow(client, ctx)
    integration.start()
    person.start()
    for _ in range(3):
        integration.lookup_by_email()
        integration.lookup_by_phone()
        person.view_history()
    sent = {(method, name.split(" ", 2)[2]) for method, _, name, _, _ in client.sent}
    assert sent & ABSENT == set()
    assert ("GET", "/{clientId}/Profile/Phone") in sent  # what exists is still exercised
    assert len(ctx.profiles) == 2  # seeded although discovery skipped a route (no endless retry)
    assert ctx.config.alternate_id_type is None and ctx.config.filter_ids == ["NEWS"]


class OutageThenToken(NoAuth):
    """No token for the first ``down`` requests (a token-endpoint outage), then requests go out."""

    kind = "oauth"

    def __init__(self, down):
        self.down = down

    def header(self):
        if self.down > 0:
            self.down -= 1
            raise TokenUnavailable("token endpoint down")
        return "Bearer t"


def test_discovery_that_could_not_send_anything_is_retried_even_with_absent_routes():
    server = MiniApi()
    ctx = context(seed_profiles=1, absent_routes=ABSENT)  # alternate id types absent: 2 discovery calls left
    ctx.auth = OutageThenToken(down=2)
    client = FakeClient(server)
    flow = IntegrationFlow(client, ctx)
    flow.start()
    assert ctx.profiles == [] and client.sent == []  # nothing could be sent: not marked ready
    flow.lookup_by_phone()  # finds no data, so discovery and seeding run again, now with a token
    assert len(ctx.profiles) == 1 and ctx.config.filter_ids == ["NEWS"]


def test_first_user_discovers_configuration_and_seeds_profiles_once():
    server = MiniApi()
    ctx = context(seed_profiles=3)
    client = FakeClient(server)
    PreferenceCenterFlow(client, ctx).start()
    IntegrationFlow(client, ctx).start()
    setup = [s[2] for s in client.sent if s[2].startswith("setup: ")]
    assert setup.count("setup: POST /{clientId}/Profile") == 3
    assert setup.count("setup: GET /{clientId}/Programs") == 1
    assert ctx.config.alternate_id_type == "CRM"
    assert ctx.config.filter_ids == ["NEWS"]
    assert ctx.config.consent_types == [("TOS", "v2")]
    emails = {p.email for p in ctx.profiles}
    assert len(emails) == 3 and all(e.startswith("lt.run1-p1-") for e in emails)


@pytest.mark.parametrize("style", sorted(CREATE_STYLES))
def test_creates_answering_200_or_201_with_the_id_in_the_body_or_location_seed_and_write(style):
    server = MiniApi(create_style=style)
    ctx = context(seed_profiles=2, owned=1)
    client = FakeClient(server)
    flow = IntegrationFlow(client, ctx)
    flow.start()
    flow.create_profile()
    assert sorted(p.profile_id for p in ctx.profiles) == [5001, 5002, 5003]
    creates = [r for r in client.reported if r.request_meta["name"].endswith("POST /{clientId}/Profile")]
    assert [r.outcome for r in creates] == ["success"] * 3
    flow.update_profile()
    report = verify(read_back(ctx.ledger), server.fetch)
    assert report.passed and report.keys == 4  # 3 created emails + 1 name write


def test_writers_own_their_profiles_and_every_acknowledged_write_is_recorded():
    server = MiniApi()
    ctx = context(seed_profiles=2, owned=1)
    client = FakeClient(server)
    users = [PreferenceCenterFlow(client, ctx) for _ in range(3)]
    for u in users:
        u.start()
    owners = [u.owned[0].profile_id for u in users]
    assert len(set(owners)) == 3  # two seeded profiles handed out, the third user created its own
    for _ in range(4):
        for u in users:
            u.update_profile()
    writes = read_back(ctx.ledger)
    updates = [w for w in writes if w.operation == "update_profile"]
    assert len(updates) == 12
    assert {w.profile_id for w in updates} <= set(owners)
    report = verify(writes, server.fetch)
    assert report.passed and report.checked == report.keys == len(writes)


def read_back(ledger):
    return [Write(**d) for d in ledger.drain()]


def test_integrity_catches_a_server_that_drops_every_fifth_update():
    server = MiniApi(drop_every=5)
    ctx = context(seed_profiles=4, owned=3)
    client = FakeClient(server)
    users = [PreferenceCenterFlow(client, ctx) for _ in range(2)]
    for u in users:
        u.start()
    for _ in range(10):
        for u in users:
            u.update_profile()
    report = verify(read_back(ctx.ledger), server.fetch)
    assert not report.passed
    assert len(report.lost) == 4  # 20 updates, every 5th dropped, 15 keys per user: none overwritten
    assert all(loss.operation == "update_profile" for loss in report.lost)


def test_integration_users_update_only_profiles_they_created():
    server = MiniApi()
    ctx = context(seed_profiles=1)
    client = FakeClient(server)
    flow = IntegrationFlow(client, ctx)
    flow.start()
    seeded = {p.profile_id for p in ctx.profiles}
    flow.update_profile()
    flow.update_profile()
    updated = {
        int(s[1].rsplit("/", 1)[1])
        for s in client.sent
        if s[2] == "write: POST /{clientId}/Profile/{profileId}"
    }
    assert updated == {flow.owned[0].profile_id}
    assert flow.owned[0].profile_id in seeded  # a free seeded profile was taken, none shared


def test_lookups_use_discovered_keys():
    server = MiniApi()
    ctx = context(seed_profiles=2)
    client = FakeClient(server)
    flow = IntegrationFlow(client, ctx)
    flow.start()
    flow.lookup_by_email()
    flow.lookup_by_phone()
    flow.lookup_by_alternate_id()
    flow.lookup_by_id()
    urls = [s[1] for s in client.sent if s[2].startswith("lookup: ")]
    assert urls[0].startswith("/ACME_CORP/Profile/Email?emailAddress=lt.run1-p1-")
    assert urls[1].startswith("/ACME_CORP/Profile/Phone?phoneNumber=555")
    assert urls[2].startswith("/ACME_CORP/Profile/AlternateId?alternateIdType=CRM&alternateId=LT-run1-p1-")
    assert re.fullmatch(r"/ACME_CORP/Profile/\d+", urls[3])


def test_preference_center_tasks_send_the_documented_bodies():
    server = MiniApi()
    ctx = context(seed_profiles=1)
    client = FakeClient(server)
    flow = PreferenceCenterFlow(client, ctx)
    flow.start()
    flow.change_consents()
    flow.change_preferences()
    flow.read_configuration()
    by_name = {s[2]: s for s in client.sent}
    consent = json.loads(by_name["write: POST /{clientId}/Consents/{profileId}"][4])
    assert consent["Consents"][0]["ConsentType"] == "TOS" and consent["Consents"][0]["ConsentVersion"] == "v2"
    pref_call = next(s for s in client.sent if s[2].startswith("write: POST /{clientId}/Profile/Preferences"))
    assert json.loads(pref_call[4])["ProfilePreferences"][0]["FilterId"] == "NEWS"
    assert "/AlternateIdType/CRM/AlternateId/LT-run1-p1-" in pref_call[1]
    assert by_name["config: GET /{clientId}/Programs"][1] in ("/ACME_CORP/Programs?locale=en-us",)
