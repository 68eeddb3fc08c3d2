"""Bulk import and export as asynchronous jobs.

Import: Initiate (Initiated) -> Stage, repeatable (Staging; counters cumulative) -> Execute (Queued) ->
status polls: the first poll after Execute reports Processing, the next one Completed (records written
then). A job also completes on the first poll made PROGRESS_SECONDS or more after Execute.
Export: Initiate (Processing; the segment's profiles are chosen then) -> status polls: Processing, then
Complete (RowCount, ByteCount) on the second poll or after PROGRESS_SECONDS -> pages (limit/offset, 1-based)
-> after the last page the token is Retrieved (expired) unless keepAlive=true; Commit ends a keepAlive read.
The sandbox never calls a CallbackURL (no outbound traffic).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from mypref_harness.sandbox.operations import profile_model as model
from mypref_harness.sandbox.operations.base import STATE_CONFLICT, HttpError, OpRequest, Reply, operation
from mypref_harness.sandbox.operations.common import (
    PROFILE,
    find_by_alternate_id,
    new_profile_id,
    record_event,
    save_profile,
    view,
)
from mypref_harness.sandbox.store import Tx

IMPORT_JOB = "importjob"
EXPORT_JOB = "exportjob"
FIRST_TOKEN = 90001
POLLS_TO_COMPLETE = 2
PROGRESS_SECONDS = 2.0
TOKEN_LIFETIME_HOURS = 12
SEGMENTS = {
    "allactive": lambda d: bool(d.get("IsActive", True)),
    "allprofiles": lambda d: True,
    "emailsubscribers": lambda d: bool(d.get("Emails")) and bool(d.get("IsActive", True)),
    "inactive": lambda d: not d.get("IsActive", True),
}
SEGMENT_GROUPS = {"marketing": ("allactive", "emailsubscribers"), "everyone": ("allprofiles",)}
COUNTERS = (
    "TotalRecordsReceived",
    "ValidationSuccessful",
    "ValidationFailed",
    "Processed",
    "Pending",
    "Exceptions",
    "NotHonored",
)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _job(tx: Tx, req: OpRequest, kind: str) -> dict[str, Any]:
    token = req.path_param("accessToken")
    job = tx.get(req.tenant, kind, token)
    if job is None:
        raise HttpError(404, f"Access token {token} was not found or has expired.")
    return job


# -- import ------------------------------------------------------------------------------------------


def import_status(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "AccessToken": job["AccessToken"],
        "Status": job["Status"],
        **{c: job.get(c, 0) for c in COUNTERS},
    }


@operation("POST", "/Async/{clientId}/Import", "initiateImport")
def initiate_import(req: OpRequest) -> Reply:
    options = dict(req.body or {})
    with req.store.write() as tx:
        tx.bump_counter_to(req.tenant, IMPORT_JOB, FIRST_TOKEN - 1)
        token = tx.next_id(req.tenant, IMPORT_JOB)
        job: dict[str, Any] = {
            "AccessToken": token,
            "Name": options.get("Name"),
            "Status": "Initiated",
            "ExpirationDate": _iso(req.now + dt.timedelta(hours=TOKEN_LIFETIME_HOURS)),
            "_options": options,
            "_records": [],
            "_exceptions": [],
            "_polls": 0,
            **{c: 0 for c in COUNTERS},
        }
        tx.put(req.tenant, IMPORT_JOB, token, job)
    return Reply(200, {k: job[k] for k in ("AccessToken", "Name", "Status", "ExpirationDate")})


def _record_problem(record: dict[str, Any], options: dict[str, Any]) -> tuple[str, str] | None:
    if options.get("MatchCriteria") == "AlternateIdType":
        wanted = str(options.get("MatchValue") or "").lower()
        if not any(
            str(a.get("AlternateIdType", "")).lower() == wanted for a in record.get("AlternateIds") or []
        ):
            return (
                "MissingMatchValue",
                f"The record has no alternate id of type '{options.get('MatchValue')}'.",
            )
    identities = ("ProfileId", "AlternateIds", "Emails", "PhoneNumbers", "Addresses", "CustomerName")
    if not any(record.get(k) for k in identities):
        return "NoIdentity", "The record has no profile id, alternate id, contact or name."
    return None


@operation("POST", "/Async/{clientId}/Import/{accessToken}/Stage", "stageImport")
def stage_import(req: OpRequest) -> Reply:
    records = (req.body or {}).get("UserProfilePreferences") or []
    with req.store.write() as tx:
        job = _job(tx, req, IMPORT_JOB)
        if job["Status"] not in ("Initiated", "Staging"):
            raise HttpError(
                STATE_CONFLICT,
                f"Import {job['AccessToken']} is {job['Status']}; records can no longer be staged.",
            )
        options = job.get("_options") or {}
        for record in records:
            sequence = job["TotalRecordsReceived"] + 1
            job["TotalRecordsReceived"] = sequence
            problem = _record_problem(record, options)
            if problem:
                job["ValidationFailed"] += 1
                job["_exceptions"].append(
                    {
                        **record,
                        "SequenceNumber": sequence,
                        "Exceptions": [{"ExceptionCode": problem[0], "Message": problem[1], "Field": None}],
                    }
                )
            else:
                job["ValidationSuccessful"] += 1
                job["_records"].append(record)
        job["Status"] = "Staging"
        tx.put(req.tenant, IMPORT_JOB, job["AccessToken"], job)
    return Reply(200, import_status(job))


@operation("POST", "/Async/{clientId}/Import/{accessToken}/Execute", "executeImport")
def execute_import(req: OpRequest) -> Reply:
    with req.store.write() as tx:
        job = _job(tx, req, IMPORT_JOB)
        if job["Status"] != "Staging":
            raise HttpError(
                STATE_CONFLICT,
                f"Import {job['AccessToken']} is {job['Status']}; only a staged import can run.",
            )
        job["Status"] = "Queued"
        job["Pending"] = job["ValidationSuccessful"]
        job["_executed_at"] = time.time()
        job["_polls"] = 0
        tx.put(req.tenant, IMPORT_JOB, job["AccessToken"], job)
    return Reply(200, import_status(job))


def _apply_import(req: OpRequest, tx: Tx, job: dict[str, Any]) -> None:
    options = job.get("_options") or {}
    refresh = {
        "AlternateIds": options.get("RefreshAlternateIds"),
        "Emails": options.get("RefreshContacts"),
        "PhoneNumbers": options.get("RefreshContacts"),
        "Addresses": options.get("RefreshContacts"),
        "CustomFields": options.get("RefreshCustomFields"),
        "Groups": options.get("RefreshGroups"),
        "ProfileTags": options.get("RefreshTags"),
    }
    match_type = str(options.get("MatchValue") or "") if options.get("MatchCriteria") else None
    for record in job.get("_records") or []:
        current = _match(tx, req.tenant, record, match_type)
        try:
            if options.get("ImportAction") == "Delete":
                if current is not None:
                    tx.delete(req.tenant, PROFILE, current["ProfileId"])
                    tx.drop_profile_index(req.tenant, current["ProfileId"])
                    record_event(req, tx, current["ProfileId"], "profile.deleted", None, current)
                job["Processed"] += 1
                continue
            data = {k: v for k, v in record.items() if k != "ProfileId"}
            if current is None:
                doc = {**data, "ProfileId": new_profile_id(tx, req.tenant)}
                save_profile(req, tx, doc, None, "profile.created")
            else:
                new = model.merge(current, {k: v for k, v in data.items() if not refresh.get(k)})
                new.update({k: v for k, v in data.items() if refresh.get(k)})
                save_profile(req, tx, new, current, "profile.updated")
            job["Processed"] += 1
        except HttpError as exc:
            job["Exceptions"] += 1
            job["_exceptions"].append(
                {
                    **record,
                    "SequenceNumber": job["Processed"] + job["Exceptions"],
                    "Exceptions": [{"ExceptionCode": str(exc.status), "Message": exc.message, "Field": None}],
                }
            )
    job["Pending"] = 0


def _match(tx: Tx, tenant: str, record: dict[str, Any], match_type: str | None) -> dict[str, Any] | None:
    if match_type:
        for alt in record.get("AlternateIds") or []:
            if str(alt.get("AlternateIdType", "")).lower() == match_type.lower():
                found = find_by_alternate_id(tx, tenant, match_type, str(alt.get("AlternateId", "")))
                return None if found is None else tx.get(tenant, PROFILE, found)
        return None
    if record.get("ProfileId"):
        return tx.get(tenant, PROFILE, record["ProfileId"])
    for id_type, value in model.alternate_ids(record):
        found = find_by_alternate_id(tx, tenant, id_type, value)
        if found is not None:
            return tx.get(tenant, PROFILE, found)
    return None


@operation("GET", "/Async/{clientId}/Import/{accessToken}/Status", "getImportStatus")
def import_status_handler(req: OpRequest) -> Reply:
    with req.store.write() as tx:
        job = _job(tx, req, IMPORT_JOB)
        if job["Status"] in ("Queued", "Processing"):
            job["_polls"] = int(job.get("_polls", 0)) + 1
            elapsed = time.time() - float(job.get("_executed_at", time.time()))
            if job["_polls"] >= POLLS_TO_COMPLETE or elapsed >= PROGRESS_SECONDS:
                _apply_import(req, tx, job)
                job["Status"] = "Completed"
            else:
                job["Status"] = "Processing"
            tx.put(req.tenant, IMPORT_JOB, job["AccessToken"], job)
    return Reply(200, import_status(job))


def _page(req: OpRequest, items: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    limit = int(req.query_param("limit", 1000))
    offset = int(req.query_param("offset", 1))
    chunk = items[offset - 1 : offset - 1 + limit]
    return chunk, {
        "Count": len(chunk),
        "HasMore": offset - 1 + limit < len(items),
        "Limit": limit,
        "Offset": offset,
        "TotalResults": len(items),
    }


@operation("GET", "/Async/{clientId}/Import/{accessToken}/Exceptions", "getImportExceptions")
def import_exceptions(req: OpRequest) -> Reply:
    with req.store.read() as tx:
        job = _job(tx, req, IMPORT_JOB)
    chunk, page = _page(req, job.get("_exceptions") or [])
    return Reply(200, {**page, "UserProfilePreferences": chunk})


# -- export ------------------------------------------------------------------------------------------


def _segment_profiles(req: OpRequest, tx: Tx, segments: tuple[str, ...]) -> list[int]:
    body = req.body or {}
    since = body.get("LastDateTime")
    criteria = body.get("MatchCriteria")
    values = {str(v).lower() for v in body.get("Values") or []}
    match_type = str(body.get("MatchType") or "").lower()
    if criteria == "AlternateId" and not match_type:
        raise HttpError(
            404, "MatchType (the alternate id type) is required when MatchCriteria is AlternateId."
        )
    chosen: list[int] = []
    for doc in tx.all(req.tenant, PROFILE):
        if not any(SEGMENTS[s](doc) for s in segments):
            continue
        if since and str((doc.get("Edited") or {}).get("ModifiedDate") or "") < str(since).replace(
            "+00:00", "Z"
        ):
            continue
        if criteria and not _export_match(doc, criteria, match_type, values):
            continue
        chosen.append(int(doc["ProfileId"]))
    return chosen


def _export_match(doc: dict[str, Any], criteria: str, match_type: str, values: set[str]) -> bool:
    if criteria == "ProfileId":
        return str(doc["ProfileId"]) in values
    if criteria == "AlternateId":
        return any(t == match_type and v in values for t, v in model.alternate_ids(doc))
    if criteria == "PhoneNumber":
        digits = {model.digits(v) for v in values}
        return any(
            model.digits(p.get("PhoneNumber")) in digits
            and (not match_type or str(p.get("PhoneType", "")).lower() == match_type)
            for p in doc.get("PhoneNumbers") or []
        )
    if criteria == "EmailAddress":
        return any(
            str(e.get("EmailAddress", "")).lower() in values
            and (not match_type or str(e.get("EmailAddressType", "")).lower() == match_type)
            for e in doc.get("Emails") or []
        )
    return True


def _initiate_export(req: OpRequest, segments: tuple[str, ...], name: str) -> Reply:
    with req.store.write() as tx:
        ids = _segment_profiles(req, tx, segments)
        tx.bump_counter_to(req.tenant, EXPORT_JOB, FIRST_TOKEN - 1)
        token = tx.next_id(req.tenant, EXPORT_JOB)
        tx.put(
            req.tenant,
            EXPORT_JOB,
            token,
            {
                "AccessToken": token,
                "Status": "Processing",
                "RowCount": None,
                "ByteCount": None,
                "_segment": name,
                "_profiles": ids,
                "_started_at": time.time(),
                "_polls": 0,
                "_callback": (req.body or {}).get("CallbackURL"),
            },
        )
    return Reply(200, {"AccessToken": token})


@operation("POST", "/Async/{clientId}/Export/Segment/{segmentName}", "initiateSegmentExport")
def export_segment(req: OpRequest) -> Reply:
    name = str(req.path_param("segmentName"))
    if name.lower() not in SEGMENTS:
        raise HttpError(404, f"Segment '{name[:100]}' was not found.")
    return _initiate_export(req, (name.lower(),), name)


@operation("POST", "/Async/{clientId}/Export/SegmentGroup/{segmentGroupName}", "initiateSegmentGroupExport")
def export_segment_group(req: OpRequest) -> Reply:
    name = str(req.path_param("segmentGroupName"))
    if name.lower() not in SEGMENT_GROUPS:
        raise HttpError(404, f"Segment group '{name[:100]}' was not found.")
    return _initiate_export(req, SEGMENT_GROUPS[name.lower()], name)


def export_status(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "AccessToken": job["AccessToken"],
        "Status": job["Status"],
        "RowCount": job.get("RowCount"),
        "ByteCount": job.get("ByteCount"),
    }


def _progress_export(req: OpRequest, tx: Tx, job: dict[str, Any]) -> None:
    if job["Status"] != "Processing":
        return
    job["_polls"] = int(job.get("_polls", 0)) + 1
    if (
        job["_polls"] >= POLLS_TO_COMPLETE
        or time.time() - float(job.get("_started_at", 0)) >= PROGRESS_SECONDS
    ):
        docs = tx.get_many(req.tenant, PROFILE, job["_profiles"])
        job["_profiles"] = [int(d["ProfileId"]) for d in docs]  # deleted meanwhile: not exported
        job["Status"] = "Complete"
        job["RowCount"] = len(docs)
        job["ByteCount"] = sum(len(json.dumps(d)) for d in docs)
    tx.put(req.tenant, EXPORT_JOB, job["AccessToken"], job)


@operation("GET", "/Async/{clientId}/Export/{accessToken}/Status", "getExportStatus")
def export_status_handler(req: OpRequest) -> Reply:
    with req.store.write() as tx:
        job = _job(tx, req, EXPORT_JOB)
        _progress_export(req, tx, job)
    return Reply(200, export_status(job))


@operation("GET", "/Async/{clientId}/Export/{accessToken}", "getExportData")
def export_data(req: OpRequest) -> Reply:
    with req.store.write() as tx:
        job = _job(tx, req, EXPORT_JOB)
        if job["Status"] == "Retrieved":
            raise HttpError(404, f"Access token {job['AccessToken']} has expired (data already retrieved).")
        if job["Status"] != "Complete":
            raise HttpError(
                STATE_CONFLICT,
                f"Export {job['AccessToken']} is {job['Status']}; poll its status until Complete.",
            )
        ids, page = _page(req, job["_profiles"])
        docs = tx.get_many(req.tenant, PROFILE, ids)
        if not page["HasMore"] and not req.query_param("keepAlive", False):
            job["Status"] = "Retrieved"
            tx.put(req.tenant, EXPORT_JOB, job["AccessToken"], job)
    return Reply(200, {**page, "Count": len(docs), "UserProfilePreferences": [view(d, req) for d in docs]})


@operation("POST", "/Async/{clientId}/Export/{accessToken}/Commit", "commitExport")
def commit_export(req: OpRequest) -> Reply:
    with req.store.write() as tx:
        job = _job(tx, req, EXPORT_JOB)
        if job["Status"] not in ("Complete", "Retrieved"):
            raise HttpError(
                STATE_CONFLICT, f"Export {job['AccessToken']} is {job['Status']}; nothing to commit."
            )
        job["Status"] = "Retrieved"
        tx.put(req.tenant, EXPORT_JOB, job["AccessToken"], job)
    return Reply(200, export_status(job))
