"""The PNAUTHINFO3 vector corpus (``auth_vectors/*.json``): load, validate, run, check a foreign signer.

The format is described in ``auth_vectors/README.md``. Each vector pins every stage (encoded UserId,
message, signature, header, issued instant in UTC) and the verifier's verdict at a pinned "now", so
a failure names the stage that broke, as in the AWS SigV4 test suite.

* ``verify_corpus(directory)`` runs our signer and verifier against every vector.
* ``check_command(cmd, directory)`` runs another team's signer once per positive vector (inputs as
  JSON on stdin) and reports the first stage where its output differs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mypref_harness import resources
from mypref_harness.auth.pnauth import (
    PnAuthError,
    Reason,
    UserIdEncoding,
    build_message,
    compute_signature,
    encode_user_id,
    parse_scheme,
    sign_header,
)
from mypref_harness.auth.timestamps import TimestampFormatError, UnknownTimeZone, parse_issued, zone_of
from mypref_harness.auth.verifier import ClientRecord, UnknownClient, Verifier, static_lookup
from mypref_harness.errors import ConfigError, HarnessError

FORMAT = "mypref-pnauth-vectors/1"
STAGES = ("encode", "message", "signature", "header", "issued", "verify", "crash")
INPUT_FIELDS = ("scheme", "key", "clientId", "userId", "timestamp", "encoding")


class VectorFileError(ConfigError):
    """A vector file that cannot be read or does not follow the format (names the file and tcId)."""


# ---------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class ServerSpec:
    client_id: str
    key: str
    users: frozenset[str]
    expiration_seconds: float = 900
    future_tolerance_seconds: float = 0
    naive_timezone: str | None = "America/New_York"
    client_id_case_insensitive: bool = True

    def verifier(self, now: float) -> Verifier:
        record = ClientRecord(
            self.client_id, self.key, self.users, self.expiration_seconds, self.future_tolerance_seconds
        )
        lookup = static_lookup(record, case_insensitive=self.client_id_case_insensitive)
        return Verifier(lookup, clock=lambda: now, naive_timezone=self.naive_timezone)


@dataclass(frozen=True)
class Vector:
    file: str
    tc_id: int
    comment: str
    flags: tuple[str, ...]
    result: str  # "valid" | "invalid"
    server: ServerSpec
    request_client_id: str
    request_header: str | None
    verify_at: float | None
    inputs: dict[str, str] | None = None  # what the signer is given
    expected: dict[str, str] | None = None  # what a correct signer produces for `inputs`
    reason: str | None = None
    error_message: str | None = None
    expected_user_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.file} tcId {self.tc_id}"

    @property
    def is_positive(self) -> bool:
        return self.result == "valid" and self.inputs is not None and self.expected is not None


@dataclass(frozen=True)
class Failure:
    tc_id: int
    file: str
    stage: str
    expected: str
    actual: str
    hint: str = ""


@dataclass
class VectorOutcome:
    vector: Vector
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class CorpusReport:
    """Outcome of a run over the corpus. ``passed`` and ``total`` are COUNTS; ``ok`` is the verdict."""

    directory: str
    outcomes: list[VectorOutcome]
    title: str = "PNAUTHINFO3 vectors"

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)

    @property
    def failed(self) -> int:
        return self.total - self.passed

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.failed == 0

    @property
    def failures(self) -> list[Failure]:
        return [f for o in self.outcomes for f in o.failures]

    def summary(self) -> str:
        verdict = "OK" if self.ok else "FAILED"
        return f"{self.title}: {self.passed}/{self.total} passed, {self.failed} failed ({verdict})"

    def render_table(self, *, every_vector: bool = False, redact: bool = False) -> str:
        """Markdown: one row per file, then one row per failure (or per vector with every_vector).

        ``redact`` shortens signature-like values (Base64 or hex of 20+ characters) to 6 characters, so
        the table can go into an artifact that a secret scanner checks.
        """
        show = _redact if redact else _cell
        lines = ["| file | vectors | passed | failed |", "|---|---:|---:|---:|"]
        per_file: dict[str, list[VectorOutcome]] = {}
        for outcome in self.outcomes:
            per_file.setdefault(outcome.vector.file, []).append(outcome)
        for name, outcomes in per_file.items():
            good = sum(1 for o in outcomes if o.ok)
            lines.append(f"| {name} | {len(outcomes)} | {good} | {len(outcomes) - good} |")
        rows = self.outcomes if every_vector else [o for o in self.outcomes if not o.ok]
        if rows:
            lines += [
                "",
                "| file | tcId | result | status | stage | expected | actual |",
                "|---|---:|---|---|---|---|---|",
            ]
            for outcome in rows:
                v = outcome.vector
                if outcome.ok:
                    lines.append(f"| {v.file} | {v.tc_id} | {v.result} | ok | | | |")
                for f in outcome.failures:
                    hint = f" ({f.hint})" if f.hint else ""
                    lines.append(
                        f"| {f.file} | {f.tc_id} | {v.result} | MISMATCH | {f.stage} | "
                        f"{show(f.expected)} | {show(f.actual)}{_cell(hint)} |"
                    )
        lines += ["", self.summary()]
        return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_SIGNATURE_LIKE = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")


def _redact(text: str) -> str:
    return _cell(_SIGNATURE_LIKE.sub(lambda m: m.group(0)[:6] + "…", text))


# ---------------------------------------------------------------------------------------- loading
def _epoch(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("verifyAt must carry a zone")
    return moment.astimezone(UTC).timestamp()


class _Reader:
    """Field access that turns every format problem into one VectorFileError line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tc_id: object = None

    def fail(self, problem: str) -> VectorFileError:
        where = f"{self.path}: tcId {self.tc_id}" if self.tc_id is not None else str(self.path)
        return VectorFileError(f"{where}: {problem}")

    def get(
        self, obj: Any, key: str, kind: type | tuple[type, ...], where: str, required: bool = True
    ) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(f"{where} must be an object")
        if key not in obj:
            if required:
                raise self.fail(f"missing field {where}.{key}".replace("..", "."))
            return None
        value = obj[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            raise self.fail(f"field {where}.{key} has the wrong type ({type(value).__name__})")
        return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _server(reader: _Reader, raw: dict[str, Any], where: str) -> ServerSpec:
    users = reader.get(raw, "users", list, where)
    if not all(isinstance(u, str) for u in users):
        raise reader.fail(f"{where}.users must be a list of strings")
    naive = raw.get("naiveTimezone", "America/New_York")
    if naive is not None and not isinstance(naive, str):
        raise reader.fail(f"field {where}.naiveTimezone must be a string or null")
    if naive is not None:
        try:
            zone_of(naive)
        except UnknownTimeZone:
            raise reader.fail(f"field {where}.naiveTimezone: unknown time zone {naive!r}") from None
    for name in ("expirationSeconds", "futureToleranceSeconds"):
        value = raw.get(name, 0)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise reader.fail(f"field {where}.{name} must be a non-negative number")
    return ServerSpec(
        client_id=reader.get(raw, "clientId", str, where),
        key=reader.get(raw, "key", str, where),
        users=frozenset(users),
        expiration_seconds=raw.get("expirationSeconds", 900),
        future_tolerance_seconds=raw.get("futureToleranceSeconds", 0),
        naive_timezone=naive,
        client_id_case_insensitive=bool(raw.get("clientIdCaseInsensitive", True)),
    )


def _vector(reader: _Reader, group_server: dict[str, Any], raw: Any, seen: set[int]) -> Vector:
    reader.tc_id = raw.get("tcId") if isinstance(raw, dict) else None
    tc_id = reader.get(raw, "tcId", int, "test")
    if tc_id in seen:
        raise reader.fail("duplicate tcId")
    seen.add(tc_id)
    result = reader.get(raw, "result", str, "test")
    if result not in ("valid", "invalid"):
        raise reader.fail(f"result must be 'valid' or 'invalid', not {result!r}")
    override = reader.get(raw, "server", dict, "test", required=False) or {}
    server = _server(reader, {**group_server, **override}, "server")
    request = reader.get(raw, "request", dict, "test")
    header = request.get("header") if "header" in request else reader.get(request, "header", str, "request")
    if header is not None and not isinstance(header, str):
        raise reader.fail("field request.header must be a string or null")
    verify_at_text = reader.get(request, "verifyAt", str, "request", required=False)
    try:
        verify_at = _epoch(verify_at_text) if verify_at_text is not None else None
    except ValueError as exc:
        raise reader.fail(f"request.verifyAt {verify_at_text!r} is not an ISO 8601 instant: {exc}") from None
    inputs = reader.get(raw, "input", dict, "test", required=False)
    expected = reader.get(raw, "expected", dict, "test", required=False)
    if inputs is not None:
        for name in INPUT_FIELDS:
            reader.get(inputs, name, str, "input")
        if expected is None:
            raise reader.fail("a test with input needs expected")
        for name in ("encodedUserId", "message", "signature", "header"):
            reader.get(expected, name, str, "expected")
    vector = Vector(
        file=reader.path.name,
        tc_id=tc_id,
        comment=str(raw.get("comment", "")),
        flags=tuple(str(f) for f in raw.get("flags", [])),
        result=result,
        server=server,
        request_client_id=reader.get(request, "clientId", str, "request"),
        request_header=header,
        verify_at=verify_at,
        inputs=inputs,
        expected=expected,
        reason=reader.get(raw, "reason", str, "test", required=result == "invalid"),
        error_message=reader.get(raw, "errorMessage", str, "test", required=result == "invalid"),
        expected_user_id=reader.get(raw, "expectedUserId", str, "test", required=result == "valid"),
    )
    if vector.reason is not None and vector.reason not in Reason.__members__:
        raise reader.fail(f"unknown reason {vector.reason!r}")
    if result == "valid" and verify_at is None:
        raise reader.fail("a valid vector needs request.verifyAt")
    return vector


def load_file(path: str | Path) -> list[Vector]:
    """Parse and validate one vector file; raises VectorFileError naming the file (and tcId)."""
    path = Path(path)
    reader = _Reader(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise reader.fail(f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise reader.fail("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise reader.fail(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(document, dict):
        raise reader.fail("top level must be an object")
    if document.get("format") != FORMAT:
        raise reader.fail(f"format must be {FORMAT!r}, not {document.get('format')!r}")
    reader.get(document, "source", str, "file")
    groups = reader.get(document, "testGroups", list, "file")
    vectors: list[Vector] = []
    seen: set[int] = set()
    for index, group in enumerate(groups):
        reader.tc_id = None
        server = reader.get(group, "server", dict, f"testGroups[{index}]")
        for raw in reader.get(group, "tests", list, f"testGroups[{index}]"):
            vectors.append(_vector(reader, server, raw, seen))
    declared = document.get("numberOfTests")
    reader.tc_id = None
    if declared is not None and declared != len(vectors):
        raise reader.fail(f"numberOfTests says {declared} but the file has {len(vectors)}")
    return vectors


def default_corpus_dir() -> Path:
    """``./auth_vectors`` if it exists (a corpus of your own), else the corpus the harness ships."""
    local = Path("auth_vectors")
    if local.is_dir():
        return local
    return resources.vectors_dir()


def corpus_files(directory: str | Path) -> list[Path]:
    root = Path(directory)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise VectorFileError(f"{root}: no such vector directory")
    files = sorted(p for p in root.glob("*.json") if p.is_file())
    if not files:
        raise VectorFileError(f"{root}: no *.json vector files")
    return files


def load_corpus(directory: str | Path) -> list[Vector]:
    return [v for path in corpus_files(directory) for v in load_file(path)]


# ---------------------------------------------------------------------------------------- our code
def _verdict(vector: Vector) -> tuple[str, str]:
    """Run our verifier on the vector's request: ("valid", user) or ("invalid", REASON|message)."""
    now = vector.verify_at if vector.verify_at is not None else 0.0
    try:
        credential = vector.server.verifier(now).verify(vector.request_client_id, vector.request_header)
    except PnAuthError as exc:
        return "invalid", f"{exc.reason.name}|{exc.message}"
    except UnknownClient:
        return "invalid", "404 unknown client"
    return "valid", credential.user_id


def check_vector(vector: Vector) -> VectorOutcome:
    """Every stage of one vector through our signer and verifier."""
    outcome = VectorOutcome(vector)

    def compare(stage: str, expected: str, actual: str) -> None:
        if expected != actual:
            outcome.failures.append(Failure(vector.tc_id, vector.file, stage, expected, actual))

    want = (
        f"valid|{vector.expected_user_id}"
        if vector.result == "valid"
        else f"invalid|{vector.reason}|{vector.error_message}"
    )
    try:
        if vector.inputs is not None and vector.expected is not None:
            _check_signing(vector.inputs, vector.expected, compare, vector.server.naive_timezone)
        result, detail = _verdict(vector)
    except Exception as exc:  # a crash in our code is a finding on this vector, not a traceback
        compare("crash", want, f"{type(exc).__name__}: {exc}")
        return outcome
    compare("verify", want, f"{result}|{detail}")
    return outcome


def _check_signing(
    inputs: dict[str, str], expected: dict[str, str], compare: Any, naive_timezone: str | None
) -> None:
    try:
        encoding = UserIdEncoding(inputs["encoding"])
        encoded = encode_user_id(inputs["userId"], encoding)
        compare("encode", expected["encodedUserId"], encoded)
        message = build_message(
            inputs["scheme"], inputs["key"], inputs["clientId"], encoded, inputs["timestamp"]
        )
        compare("message", expected["message"], message)
        compare(
            "signature", expected["signature"], compute_signature(inputs["scheme"], inputs["key"], message)
        )
        header = sign_header(
            key=inputs["key"],
            client_id=inputs["clientId"],
            user_id=inputs["userId"],
            scheme=inputs["scheme"],
            timestamp=inputs["timestamp"],
            encoding=encoding,
        )
        compare("header", expected["header"], header)
    except (PnAuthError, ValueError) as exc:
        compare("signature", expected["signature"], f"error: {exc}")
        return
    if "issuedAtUtc" in expected:
        try:
            issued = parse_issued(inputs["timestamp"], naive_timezone).astimezone(UTC)
            actual = (
                issued.strftime("%Y-%m-%dT%H:%M:%S")
                + (f".{issued.microsecond:06d}".rstrip("0") if issued.microsecond else "")
                + "Z"
            )
        except TimestampFormatError as exc:
            actual = f"error: {exc}"
        compare("issued", expected["issuedAtUtc"], actual)


def verify_corpus(directory: str | Path | None = None) -> CorpusReport:
    """Run every vector of the corpus (default: default_corpus_dir()) through our signer and verifier."""
    directory = default_corpus_dir() if directory is None else directory
    vectors = load_corpus(directory)
    return CorpusReport(str(directory), [check_vector(v) for v in vectors])


# ---------------------------------------------------------------------------------------- check-cmd
def signer_request(vector: Vector) -> dict[str, Any]:
    """What a foreign signer reads on stdin (documented in auth_vectors/README.md)."""
    assert vector.inputs is not None
    return {"tcId": vector.tc_id, **{name: vector.inputs[name] for name in INPUT_FIELDS}}


def _parse_output(stdout: str) -> dict[str, str]:
    text = stdout.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return {"header": text.splitlines()[-1].strip()}
        if isinstance(data, dict):
            return {k: str(v) for k, v in data.items() if k in ("message", "signature", "header")}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if last[:14].lower() == "authorization:":  # a printed header line, name included
        last = last[14:].strip()
    if " Credential=" in last or " credential=" in last:
        return {"header": last}
    return {"signature": last}


def _header_parts(header: str) -> tuple[str, str, str]:
    """(scheme upper-cased, credential, signature) read leniently from a foreign header."""
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    for token in rest.replace(",", " ").split():
        name, _, value = token.partition("=")
        params[name.lower()] = value
    return scheme.upper(), params.get("credential", ""), params.get("signature", "")


def diagnose(inputs: dict[str, str], signature: str) -> tuple[str, str] | None:
    """Name a classic mistake that yields `signature`, as (stage, hint); None if none matches."""
    scheme = parse_scheme(inputs["scheme"])
    key, client, user, stamp = inputs["key"], inputs["clientId"], inputs["userId"], inputs["timestamp"]
    right = encode_user_id(user, inputs["encoding"])
    other = encode_user_id(user, "percent" if inputs["encoding"] == "form" else "form")
    candidates: list[tuple[str, str, str]] = [
        (
            "message",
            "UserId not URL-encoded",
            compute_signature(scheme, key, build_message(scheme, key, client, user, stamp)),
        ),
        (
            "message",
            f"UserId encoded the other way ({other})",
            compute_signature(scheme, key, build_message(scheme, key, client, other, stamp)),
        ),
        (
            "message",
            "keyed/un-keyed message format mixed up",
            compute_signature(
                scheme,
                key,
                build_message(
                    f"PNAUTHINFO3-{'' if scheme.keyed else 'HMAC-'}{scheme.hash_name}",
                    key,
                    client,
                    right,
                    stamp,
                ),
            ),
        ),
    ]
    message = build_message(scheme, key, client, right, stamp)
    digestmod = scheme.hash_name.lower()
    if scheme.keyed:
        swapped = hmac.digest(message.encode(), key.encode(), digestmod)
        candidates.append(("signature", "HMAC key and message swapped", base64.b64encode(swapped).decode()))
        plain = hashlib.new(digestmod, message.encode()).digest()
        candidates.append(("signature", "plain hash instead of HMAC", base64.b64encode(plain).decode()))
    digest = base64.b64decode(compute_signature(scheme, key, message))
    candidates += [
        ("signature", "hex digest instead of Base64", digest.hex()),
        ("signature", "URL-safe Base64 alphabet", base64.urlsafe_b64encode(digest).decode()),
        ("signature", "Base64 of the hex digest", base64.b64encode(digest.hex().encode()).decode()),
    ]
    for hash_name in ("SHA256", "SHA384", "SHA512"):
        if hash_name != scheme.hash_name:
            alt = f"PNAUTHINFO3-{'HMAC-' if scheme.keyed else ''}{hash_name}"
            candidates.append(
                ("signature", f"digest computed with {hash_name}", compute_signature(alt, key, message))
            )
    for stage, hint, candidate in candidates:
        if candidate == signature:
            return stage, hint
    return None


def _credential_hint(inputs: dict[str, str], credential: str, header: str) -> str:
    user, _, stamp = credential.rpartition("/")
    if f"={inputs['userId']}/" in header:
        split = " (its space splits the header)" if " " in inputs["userId"] else ""
        return f"UserId not URL-encoded{split}"
    if stamp != inputs["timestamp"]:
        return "the timestamp is not the one given (sign it verbatim)"
    if user == inputs["userId"]:
        return "UserId not URL-encoded"
    other = "percent" if inputs["encoding"] == "form" else "form"
    if user == encode_user_id(inputs["userId"], other):
        return f"UserId encoded as {other}, not {inputs['encoding']}"
    return "the UserId in the Credential differs (so the signed message does too)"


def compare_signer_output(vector: Vector, output: dict[str, str]) -> list[Failure]:
    """The first differing stage of a foreign signer's output, as Failures (empty when it matches)."""
    assert vector.inputs is not None and vector.expected is not None
    exp = vector.expected

    def failure(stage: str, expected: str, actual: str, hint: str = "") -> list[Failure]:
        return [Failure(vector.tc_id, vector.file, stage, expected, actual, hint)]

    if "message" in output and output["message"] != exp["message"]:
        return failure("message", exp["message"], output["message"])
    signature = output.get("signature")
    header = output.get("header")
    if header is not None:
        _, credential, header_signature = _header_parts(header)
        expected_credential = f"{exp['encodedUserId']}/{vector.inputs['timestamp']}"
        if credential != expected_credential:
            return failure(
                "message",
                f"Credential={expected_credential}",
                f"Credential={credential}",
                _credential_hint(vector.inputs, credential, header),
            )
        signature = signature if signature is not None else header_signature
    if signature is not None and signature != exp["signature"]:
        stage, hint = diagnose(vector.inputs, signature) or ("signature", "")
        if stage == "message":
            return failure("message", exp["message"], "(not printed)", hint)
        return failure("signature", exp["signature"], signature, hint)
    if header is not None:
        scheme, _, rest = header.strip().partition(" ")
        expected_scheme, _, expected_rest = exp["header"].partition(" ")
        # Scheme names are case-insensitive; everything else must be byte for byte.
        if scheme.upper() != expected_scheme or rest != expected_rest:
            return failure("header", exp["header"], header.strip())
    if signature is None and header is None:
        return failure("signature", exp["signature"], "(no output)")
    return []


@dataclass
class CheckReport(CorpusReport):
    command: str = ""


def check_command(
    command: Sequence[str], directory: str | Path | None = None, *, timeout: float = 10.0
) -> CheckReport:
    """Run `command` once per positive vector (inputs as JSON on stdin) and compare its output.

    ``directory`` defaults to default_corpus_dir().
    """
    if not command:
        raise ConfigError("check-cmd needs a command after --")
    directory = default_corpus_dir() if directory is None else directory
    outcomes: list[VectorOutcome] = []
    for vector in (v for v in load_corpus(directory) if v.is_positive):
        outcome = VectorOutcome(vector)
        try:
            proc = subprocess.run(
                list(command),
                input=json.dumps(signer_request(vector), ensure_ascii=False),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError:
            raise HarnessError(f"check-cmd: command not found: {command[0]}") from None
        except PermissionError:
            raise HarnessError(f"check-cmd: not executable: {command[0]}") from None
        except subprocess.TimeoutExpired:
            outcome.failures.append(
                Failure(vector.tc_id, vector.file, "run", "output", f"timed out ({timeout} s)")
            )
            outcomes.append(outcome)
            continue
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or [""])[0][:200]
            outcome.failures.append(
                Failure(vector.tc_id, vector.file, "run", "exit 0", f"exit {proc.returncode}: {first}")
            )
        else:
            outcome.failures += compare_signer_output(vector, _parse_output(proc.stdout))
        outcomes.append(outcome)
    if not outcomes:
        raise VectorFileError(f"{directory}: no positive vectors to check")
    return CheckReport(
        str(directory), outcomes, title=f"signer {' '.join(command)[:80]}", command=" ".join(command)
    )


def stage_counts(failures: Iterable[Failure]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in failures:
        counts[f.stage] = counts.get(f.stage, 0) + 1
    return counts
