"""Webhook subscriptions and events.

Subscriptions: HTTPS URLs only (400 otherwise), ``State`` defaults to Paused, the same URL subscribed to
the same event type in another subscription is a 409, PUT is a full replace and ``IsActive=false``
deletes. The sandbox never delivers anything (no outbound calls); events are recorded for every profile
write and can be read back (look-back limited to 15 days, startAt <= endAt).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mypref_harness.sandbox.operations.base import HttpError, OpRequest, Reply, operation
from mypref_harness.sandbox.operations.common import PROFILE
from mypref_harness.sandbox.store import Tx

SUBSCRIPTION = "subscription"
FIRST_SUBSCRIPTION_ID = 501
MAX_EVENT_HISTORY_DAYS = 15
EVENT_LIMIT = 1000


def _event_types(sub: dict[str, Any]) -> set[str]:
    return {str(s.get("EventType", "")).lower() for s in sub.get("Subscriptions") or []}


def _check(tx: Tx, req: OpRequest, body: dict[str, Any], own_id: int | None) -> None:
    url = str(body.get("Url", ""))
    if not url.lower().startswith("https://"):
        raise HttpError(400, "Url must be an https:// URL.")
    wanted = _event_types(body)
    for other in tx.all(req.tenant, SUBSCRIPTION):
        if other["Id"] == own_id or str(other.get("Url", "")).lower() != url.lower():
            continue
        clash = wanted & _event_types(other)
        if clash or (not wanted and not _event_types(other)):
            raise HttpError(
                409,
                f"Url is already subscribed to {sorted(clash)[0] if clash else 'these events'} "
                f"in subscription {other['Id']}.",
            )


def _normalize(body: dict[str, Any], sub_id: int) -> dict[str, Any]:
    sub = {"Id": sub_id, **body}
    sub.setdefault("State", "Paused")
    sub.setdefault("IsActive", True)
    sub.setdefault("IsMinimized", False)
    sub.setdefault("CatchUpOnResume", False)
    sub.setdefault("Subscriptions", [])
    return sub


@operation("POST", "/{clientId}/Webhooks/Subscriptions", "createWebhookSubscription")
def create_subscription(req: OpRequest) -> Reply:
    body = dict(req.body or {})
    with req.store.write() as tx:
        _check(tx, req, body, None)
        tx.bump_counter_to(req.tenant, SUBSCRIPTION, FIRST_SUBSCRIPTION_ID - 1)
        sub = _normalize(body, tx.next_id(req.tenant, SUBSCRIPTION))
        if sub["IsActive"] is False:
            return Reply(200, sub)  # created and deleted at once: nothing to keep
        tx.put(req.tenant, SUBSCRIPTION, sub["Id"], sub)
    return Reply(200, sub)


@operation("GET", "/{clientId}/Webhooks/Subscriptions", "getWebhookSubscriptions")
def get_subscriptions(req: OpRequest) -> Reply:
    wanted = req.query_param("subscriptionId")
    with req.store.read() as tx:
        subs = tx.all(req.tenant, SUBSCRIPTION)
    if wanted not in (None, 0):
        subs = [s for s in subs if s["Id"] == wanted]
        if not subs:
            raise HttpError(404, f"Subscription {wanted} was not found.")
    return Reply(200, subs)


@operation("PUT", "/{clientId}/Webhooks/Subscriptions/{subscriptionId}", "updateWebhookSubscription")
def update_subscription(req: OpRequest) -> Reply:
    sub_id = req.path_param("subscriptionId")
    body = dict(req.body or {})
    with req.store.write() as tx:
        if tx.get(req.tenant, SUBSCRIPTION, sub_id) is None:
            raise HttpError(404, f"Subscription {sub_id} was not found.")
        sub = _normalize(body, sub_id)
        if sub["IsActive"] is False:
            tx.delete(req.tenant, SUBSCRIPTION, sub_id)
            return Reply(200, sub)
        _check(tx, req, body, sub_id)
        tx.put(req.tenant, SUBSCRIPTION, sub_id, sub)
    return Reply(200, sub)


def _window(req: OpRequest) -> tuple[str, str]:
    earliest = req.now - dt.timedelta(days=MAX_EVENT_HISTORY_DAYS)
    start = _parse(req.query_param("startAt"), "startAt") or earliest
    end = _parse(req.query_param("endAt"), "endAt") or req.now + dt.timedelta(days=1)
    # The look-back is capped (MaxEventHistoryDays): an older startAt is clamped, not refused, and an
    # empty window (startAt after endAt) selects nothing; both are schema-valid requests.
    start = max(start, earliest)
    return _stamp(start), _stamp(end)


def _parse(value: Any, name: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise HttpError(400, f"{name} is not an ISO 8601 date-time.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _select(
    req: OpRequest, events: list[dict[str, Any]], types: set[str] | None = None
) -> list[dict[str, Any]]:
    start, end = _window(req)
    wanted = req.query_param("eventType")
    out = []
    for event in events:
        if not start <= str(event.get("OccurredDate", "")) <= end:
            continue
        if wanted and str(event.get("EventType", "")).lower() != str(wanted).lower():
            continue
        if types is not None and str(event.get("EventType", "")).lower() not in types:
            continue
        out.append(event)
    return out[-EVENT_LIMIT:]


@operation("GET", "/{clientId}/Events", "getEvents")
def get_events(req: OpRequest) -> Reply:
    with req.store.read() as tx:
        events = tx.events(req.tenant, limit=10 * EVENT_LIMIT)
    return Reply(200, _select(req, events))


@operation("GET", "/{clientId}/Events/Profile/{profileId}", "getEventsByProfileId")
def events_by_profile(req: OpRequest) -> Reply:
    profile_id = req.path_param("profileId")
    with req.store.read() as tx:
        events = tx.events(req.tenant, profile_id=profile_id, limit=10 * EVENT_LIMIT)
        if not events and tx.get(req.tenant, PROFILE, profile_id) is None:
            raise HttpError(404, f"Profile {profile_id} was not found.")
        subs = tx.all(req.tenant, SUBSCRIPTION)
    types = None
    if req.query_param("activeSubscriptionsOnly", False):
        types = set().union(*(_event_types(s) for s in subs if s.get("State") == "Active")) if subs else set()
    return Reply(200, _select(req, events, types))


@operation("GET", "/{clientId}/Events/Subscription/{subscriptionId}", "getEventsBySubscription")
def events_by_subscription(req: OpRequest) -> Reply:
    sub_id = req.path_param("subscriptionId")
    with req.store.read() as tx:
        sub = tx.get(req.tenant, SUBSCRIPTION, sub_id)
        if sub is None:
            raise HttpError(404, f"Subscription {sub_id} was not found.")
        events = tx.events(req.tenant, limit=10 * EVENT_LIMIT)
    selected = _select(req, events, _event_types(sub) or None)
    return Reply(200, [{**e, "SubscriptionId": str(sub_id)} for e in selected])


@operation("GET", "/{clientId}/Events/{eventId}", "getEvent")
def get_event(req: OpRequest) -> Reply:
    event_id = str(req.path_param("eventId"))
    with req.store.read() as tx:
        found = tx.events(req.tenant, event_id=event_id, limit=1)
    if not found:
        raise HttpError(404, f"Event '{event_id[:60]}' was not found.")
    return Reply(200, found[0])
