"""What the simulated users do, written against a duck-typed Locust client (no locust import).

The locustfile wraps :class:`PreferenceCenterFlow` and :class:`IntegrationFlow` in FastHttpUser
classes; each task there is one method here. Everything a Locust process shares (auth, discovered
configuration, seeded profiles, the write ledger) lives in one :class:`ProcessContext`.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from mypref_harness.created import created_id, location_header
from mypref_harness.load.integrity import Ledger
from mypref_harness.load.locust_auth import RequestAuth, Sent, send
from mypref_harness.load.scenarios import (
    NAME_FIELDS,
    Route,
    SeedProfile,
    TargetConfig,
    TrafficModel,
    UniqueValues,
    consent_body,
    name_update_body,
    new_profile_body,
    parse_alternate_id_type,
    parse_consent_types,
    parse_filter_ids,
    preferences_body,
)
from mypref_harness.load.templates import RequestTemplate

ReportUnavailable = Callable[[str, str, Exception], None]


class ProcessContext:
    """Shared by every user of one Locust process."""

    def __init__(
        self,
        *,
        client_id: str,
        templates: Mapping[str, RequestTemplate],
        auth: RequestAuth,
        model: TrafficModel,
        values: UniqueValues,
        ledger: Ledger,
        report_unavailable: ReportUnavailable | None = None,
        rng: random.Random | None = None,
        absent_routes: Collection[Route] = (),
    ) -> None:
        self.client_id = client_id
        # The requests the spec in use resolves (load.templates); a request it lacks is never sent.
        self.templates = templates
        # Routes the target does not have (e.g. guessed routes the contract stage found absent): never
        # sent, so their 404s do not count as failures of the target under load.
        self.absent_routes = frozenset(absent_routes)
        self.auth = auth
        self.model = model
        self.values = values
        self.ledger = ledger
        self.report_unavailable = report_unavailable
        self.rng = rng or random.Random()  # noqa: S311 - traffic mix, not cryptography
        self.config = TargetConfig()
        self.profiles: list[SeedProfile] = []  # every profile known to this process (lookups)
        self._free: list[SeedProfile] = []  # seeded profiles not yet owned by a writer
        self._lock = threading.Lock()  # gevent-patched in Locust: a cooperative lock
        self._ready = False

    def ensure_ready(self, flow: Flow) -> None:
        """Discover configuration and seed profiles once per process (the first user does it).

        If the target could not be asked at all (no token during a token-endpoint outage), the
        next caller tries again; users call this again when they find no test data.
        """
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if not self._discover(flow):
                return
            self._ready = True
            for _ in range(self.model.seed_profiles):
                created = flow.create_profile_now(setup=True)
                if created is None:
                    break  # the target refuses creates (or is failing): do not hammer it
                self._free.append(created)

    def _discover(self, flow: Flow) -> bool:
        """Read the configuration the scenarios need; False when no request could even be sent (routes
        the target lacks are not asked, and do not count as unsendable)."""
        locale = self.model.locales[0]
        readers: tuple[tuple[str, Callable[[Any], None]], ...] = (
            ("alternate_id_types", self._read_alternate_id_types),
            ("programs", self._read_programs),
            ("consent_types", self._read_consent_types),
        )
        asked = sent = 0
        for op_key, read in readers:
            if not flow.available(op_key):
                continue
            asked += 1
            answer = flow.call(op_key, setup=True, query={"locale": locale})
            if answer is None:
                continue
            sent += 1
            if answer.ok:
                read(answer.json())
        return sent > 0 or asked == 0

    def _read_alternate_id_types(self, body: Any) -> None:
        self.config.alternate_id_type = parse_alternate_id_type(body)

    def _read_programs(self, body: Any) -> None:
        self.config.filter_ids = parse_filter_ids(body)

    def _read_consent_types(self, body: Any) -> None:
        self.config.consent_types = parse_consent_types(body)

    def add_profile(self, profile: SeedProfile) -> None:
        self.profiles.append(profile)

    def checkout(self) -> SeedProfile | None:
        """A seeded profile for one writer alone (None when all are taken)."""
        return self._free.pop() if self._free else None

    def random_profile(self, flow: Flow) -> SeedProfile | None:
        if not self.profiles:
            self.ensure_ready(flow)  # e.g. seeding failed during an outage: try again now
        return self.rng.choice(self.profiles) if self.profiles else None


class Flow:
    def __init__(self, client: Any, ctx: ProcessContext) -> None:
        self.client = client
        self.ctx = ctx
        self.rng = ctx.rng
        self.owned: list[SeedProfile] = []
        self._write_keys: itertools.cycle[tuple[SeedProfile, str]] | None = None
        self._counter = 0

    # ------------------------------------------------------------------ plumbing

    def available(self, op_key: str) -> bool:
        template = self.ctx.templates.get(op_key)
        return template is not None and template.route not in self.ctx.absent_routes

    def call(
        self,
        op_key: str,
        *,
        setup: bool = False,
        body: Any = None,
        query: dict[str, Any] | None = None,
        **params: Any,
    ) -> Sent | None:
        """Send one operation; None when it could not be sent, or when the spec or the target lacks it."""
        if not self.available(op_key):
            return None
        template = self.ctx.templates[op_key]
        url = template.url(query, clientId=self.ctx.client_id, **params)
        return send(
            self.client,
            self.ctx.auth,
            template.method,
            url,
            template.setup_name if setup else template.name,
            expect=template.expect,
            body=body,
            report_unavailable=self.ctx.report_unavailable,
        )

    def create_profile_now(self, *, setup: bool = False) -> SeedProfile | None:
        email, phone, alt_id = self.ctx.values.next()
        alt_type = self.ctx.config.alternate_id_type
        sent = self.call("create_profile", setup=setup, body=new_profile_body(email, phone, alt_type, alt_id))
        if sent is None or not sent.ok:
            return None
        # 200 or 201; the id is in the body or only in Location (both documented-compatible)
        profile_id = created_id(sent.json(), location_header(getattr(sent.response, "headers", None)))
        if not isinstance(profile_id, int):
            return None
        self.ctx.ledger.record(profile_id, "Emails.0.EmailAddress", email, time.time(), "create_profile")
        profile = SeedProfile(profile_id, email, phone, alt_type, alt_id if alt_type else None)
        self.ctx.add_profile(profile)
        return profile

    def _own_profiles(self, count: int) -> None:
        for _ in range(count):
            profile = self.ctx.checkout() or self.create_profile_now()
            if profile is not None:
                self.owned.append(profile)
        if self.owned:
            # Round-robin over (profile, field): a key is rewritten only after all others were written.
            self._write_keys = itertools.cycle([(p, f) for f in NAME_FIELDS for p in self.owned])

    def _next_value(self, field_name: str) -> str:
        self._counter += 1
        return f"{field_name[:2]}{self._counter}x{self.rng.randrange(10**6)}"

    def write_name_field(self) -> None:
        """UpdateProfile (POST) of one name field on an owned profile; acknowledged -> ledger."""
        if self._write_keys is None:
            return
        profile, field_name = next(self._write_keys)
        value = self._next_value(field_name)
        sent = self.call(
            "update_profile", body=name_update_body(field_name, value), profileId=profile.profile_id
        )
        if sent is not None and sent.ok:
            self.ctx.ledger.record(
                profile.profile_id, f"CustomerName.{field_name}", value, time.time(), "update_profile"
            )

    def _owned_profile(self) -> SeedProfile | None:
        if not self.owned:  # start() found no data (e.g. during an outage): try again
            self.ctx.ensure_ready(self)
            self._own_profiles(self.ctx.model.owned_profiles)
        return self.rng.choice(self.owned) if self.owned else None


class PreferenceCenterFlow(Flow):
    """A person on a preference page, working on their own profile."""

    def start(self) -> None:
        self.ctx.ensure_ready(self)
        self._own_profiles(self.ctx.model.owned_profiles)

    def read_configuration(self) -> None:
        locale = self.rng.choice(self.ctx.model.locales)
        for op in ("programs", "program_groups", "consent_types"):
            self.call(op, query={"locale": locale})

    def view_profile(self) -> None:
        profile = self._owned_profile()
        if profile is not None:
            self.call("profile_by_id", profileId=profile.profile_id)

    def update_profile(self) -> None:
        if self._owned_profile() is not None:
            self.write_name_field()

    def change_consents(self) -> None:
        profile = self._owned_profile()
        if profile is None or not self.ctx.config.consent_types:
            return
        consent_type, version = self.rng.choice(self.ctx.config.consent_types)
        status = self.rng.choice((1, 2))  # Granted / Denied
        self.call(
            "add_consents", body=consent_body(consent_type, version, status), profileId=profile.profile_id
        )

    def change_preferences(self) -> None:
        profile = self._owned_profile()
        if profile is None or not self.ctx.config.filter_ids or not profile.alternate_id_type:
            return
        filter_id = self.rng.choice(self.ctx.config.filter_ids)
        self.call(
            "upsert_preferences",
            body=preferences_body(filter_id, self.rng.choice((1, 2))),
            alternateIdType=profile.alternate_id_type,
            alternateId=profile.alternate_id,
        )

    def view_history(self) -> None:
        profile = self._owned_profile()
        if profile is not None:
            op = self.rng.choice(("history_standard_fields", "history_preferences", "history_consents"))
            self.call(op, profileId=profile.profile_id)


class IntegrationFlow(Flow):
    """A CRM-style integration: lookups by every key, updates and occasional creates."""

    def start(self) -> None:
        self.ctx.ensure_ready(self)

    def lookup_by_id(self) -> None:
        p = self.ctx.random_profile(self)
        if p is not None:
            self.call("profile_by_id", profileId=p.profile_id)

    def lookup_by_email(self) -> None:
        p = self.ctx.random_profile(self)
        if p is not None:
            self.call("profile_by_email", query={"emailAddress": p.email})

    def lookup_by_phone(self) -> None:
        p = self.ctx.random_profile(self)
        if p is not None:
            self.call("profile_by_phone", query={"phoneNumber": p.phone})

    def lookup_by_alternate_id(self) -> None:
        p = self.ctx.random_profile(self)
        if p is not None and p.alternate_id_type:
            self.call(
                "profile_by_alternate_id",
                query={"alternateIdType": p.alternate_id_type, "alternateId": p.alternate_id},
            )

    def update_profile(self) -> None:
        if not self.owned:
            self._own_profiles(1)  # integrations update what they created, never a person's profile
        self.write_name_field()

    def create_profile(self) -> None:
        self.create_profile_now()
