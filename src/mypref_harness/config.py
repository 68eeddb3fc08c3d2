"""Target = where and who: base URL, token URL, ClientId, UserId, auth mode and secrets.

Values come from ``MYPREF_*`` environment variables and an optional TOML file (``mypref.toml``);
the environment wins. No configuration at all means "the embedded sandbox": ``base_url`` stays
``None`` and ``mypref_harness.embedded.resolved_target`` starts the sandbox and fills in its URLs
and demo credentials.

Secrets (PNAUTHINFO3 key, OAuth client secret) are wrapped in ``mypref_harness.secret.Secret`` so
that a Target can be printed, logged or put in a report without leaking them. Secrets are never
read from argv.

This module only models, loads and validates a Target. What is done with one lives above it:
``guards`` (production host, loopback, reachability), ``embedded`` (the sandbox for a run),
``credentials`` (auth objects) and ``preflight`` (the first requests of a run).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import stat
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mypref_harness import resources
from mypref_harness.auth.pnauth import PnAuthError, UserIdEncoding, parse_scheme
from mypref_harness.errors import ConfigError
from mypref_harness.secret import Secret, as_secret, reveal
from mypref_harness.spec.paths import ApiBase, plain_base, reconcile
from mypref_harness.spec.roles import role_table

AUTH_MODES = ("pnauth", "oauth")
OAUTH_SEND_MODES = ("basic", "body")
USER_ID_ENCODINGS = tuple(encoding.value for encoding in UserIdEncoding)
DEFAULT_PNAUTH_SCHEME = "PNAUTHINFO3-HMAC-SHA256"
DEFAULT_CONFIG_FILE = "mypref.toml"


class ConfigWarning(UserWarning):
    """A configuration problem that does not stop the run (e.g. a world-readable secrets file)."""


@dataclass(frozen=True)
class Target:
    """Where the API under test lives and who the harness is there.

    ``base_url`` None means "the embedded sandbox" (see ``embedded.resolved_target``).
    Plain ``str`` secrets given to the constructor are wrapped in ``Secret``.
    """

    base_url: str | None = None  # ".../Profiles/v4", no trailing slash
    token_url: str | None = None
    client_id: str | None = None  # MyPreferences ClientId (path parameter, signed message)
    user_id: str | None = None
    auth: str = "pnauth"
    api_key: Secret | None = None
    pnauth_scheme: str = DEFAULT_PNAUTH_SCHEME
    user_id_encoding: str | None = None  # "form" | "percent"; None = the signer's default
    oauth_client_id: str | None = None
    oauth_client_secret: Secret | None = None
    oauth_cert_path: Path | None = None
    oauth_key_path: Path | None = None
    oauth_send: str = "basic"
    spec: str = ""  # path or URL of the OpenAPI document; "" = resources.spec_file()
    jwks_url: str | None = None
    sandbox_root_url: str | None = None  # set when this target is a sandbox we started
    config_file: Path | None = None
    profile: Path | None = None  # a pinned target profile (docs/profile.md): drift is reported
    client_id_param: str | None = None  # the spec's name of the ClientId path parameter; None = by name
    operations: Mapping[str, str] = field(default_factory=dict)  # [operations]: role -> operation name
    # where each value came from, e.g. "env MYPREF_BASE_URL" or "file mypref.toml"
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # where the spec's paths go on this target (spec.paths.reconcile); None = the base URL is the root
    api_base: ApiBase | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_key", as_secret(self.api_key))
        object.__setattr__(self, "oauth_client_secret", as_secret(self.oauth_client_secret))
        if not self.spec:
            object.__setattr__(self, "spec", str(resources.spec_file()))

    @property
    def is_embedded(self) -> bool:
        """True until ``embedded.resolved_target`` has started the sandbox for this target."""
        return self.base_url is None

    @property
    def is_sandbox(self) -> bool:
        """True for a target that points at an embedded sandbox started by the harness."""
        return self.sandbox_root_url is not None

    def url_for(self, path: str) -> str:
        """The request URL of a (filled-in) spec path, or of one of our catalog's, on this target."""
        if self.api_base is not None:
            return self.api_base.url(path)
        if not self.base_url:
            raise ConfigError("no base URL yet: the embedded sandbox is not started")
        return plain_base(self.base_url).url(path)

    @property
    def spec_base_url(self) -> str | None:
        """The URL the spec's paths are appended to as written (Schemathesis's base-url)."""
        return self.api_base.schemathesis_url if self.api_base is not None else self.base_url

    def with_spec(self, document: Mapping[str, Any]) -> Target:
        """This target with the spec's paths reconciled with its base URL (ConfigError if they cannot be)."""
        if not self.base_url:
            raise ConfigError("no base URL yet: the embedded sandbox is not started")
        return dataclasses.replace(self, api_base=reconcile(self.base_url, document))

    @property
    def uses_certificate(self) -> bool:
        return self.oauth_cert_path is not None or self.oauth_key_path is not None

    @property
    def scope(self) -> str:
        """The OAuth scope the vendor documents: ``ClientId/UserId``."""
        return f"{self.client_id}/{self.user_id}"

    def named_secrets(self) -> dict[str, str]:
        """Raw secret values by name (for redaction and artifact scans). Empty values are left out."""
        named = {"api_key": reveal(self.api_key), "oauth_client_secret": reveal(self.oauth_client_secret)}
        return {name: value for name, value in named.items() if value}

    def secrets(self) -> list[str]:
        """Raw secret strings, for :func:`mypref_harness.report.redact` and the artifact scan."""
        return list(self.named_secrets().values())

    def describe(self) -> str:
        """One line per setting, safe to print (secrets show as set/unset only)."""
        def origin(key: str) -> str:
            return f"  ({self.sources[key]})" if key in self.sources else ""

        where = self.base_url or "embedded sandbox (started on a free loopback port)"
        lines = [
            f"target:        {where}{origin('base_url')}",
            f"auth:          {self.auth}{origin('auth')}",
            f"client/user:   {self.client_id}/{self.user_id}",
        ]
        if self.auth == "pnauth":
            lines.append(f"pnauth:        {self.pnauth_scheme}, key {'set' if self.api_key else 'unset'}")
        else:
            credential = "certificate" if self.uses_certificate else (
                "secret set" if self.oauth_client_secret else "secret unset")
            lines.append(f"oauth:         {self.token_url} client {self.oauth_client_id} ({credential}, "
                         f"send={self.oauth_send})")
        lines.append(f"spec:          {self.spec}{origin('spec')}")
        if self.config_file:
            lines.append(f"config file:   {self.config_file}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class _Key:
    name: str  # TOML key; env var is MYPREF_<NAME upper>
    secret: bool = False
    path: bool = False  # relative values are resolved (env: cwd, TOML: the file's folder)

    @property
    def env(self) -> str:
        return f"MYPREF_{self.name.upper()}"


KEYS: tuple[_Key, ...] = (
    _Key("base_url"),
    _Key("client_id"),
    _Key("user_id"),
    _Key("auth"),
    _Key("api_key", secret=True),
    _Key("api_key_file", path=True),  # a file holding the key (CI secret mounts); not itself a secret
    _Key("pnauth_scheme"),
    _Key("user_id_encoding"),
    _Key("token_url"),
    _Key("oauth_client_id"),
    _Key("oauth_client_secret", secret=True),
    _Key("oauth_client_secret_file", path=True),
    _Key("oauth_cert", path=True),
    _Key("oauth_key", path=True),
    _Key("oauth_send"),
    _Key("spec", path=True),
    _Key("profile", path=True),  # the pinned target profile that --profile would name
    _Key("client_id_param"),  # the ClientId path parameter's name when it is not clientid/client_id
    _Key("operations"),  # TOML: the [operations] table; env: "create-profile=Profile_Create;..."
    _Key("target"),  # "sandbox" | "configured": what the run must test (CI requires "configured")
)
_KEYS_BY_NAME = {key.name: key for key in KEYS}
ENV_VARS: tuple[str, ...] = (*(key.env for key in KEYS), "MYPREF_CONFIG")
TARGET_KINDS = ("sandbox", "configured")
# Variables the harness sets for its own subprocesses (Locust, Schemathesis hooks, the sandbox) and
# the tests' process markers: never typed by a user, so never checked against the list above.
_INTERNAL_ENV_PREFIXES = ("MYPREF_LOAD_", "MYPREF_CONTRACT_", "MYPREF_SANDBOX_", "MYPREF_TEST_")
_INTERNAL_ENV_VARS = ("MYPREF_ROUTE_LOG",)


def target_env(target: Target) -> dict[str, str]:
    """The target as ``MYPREF_*`` variables for the harness's own subprocesses (Schemathesis, Locust).

    ``load_target`` in the child rebuilds the same Target from them. Secrets travel only this way,
    never in argv or in files; unset values are left out.
    """
    values: dict[str, object] = {
        "base_url": target.base_url,
        "token_url": target.token_url,
        "client_id": target.client_id,
        "user_id": target.user_id,
        "auth": target.auth,
        "api_key": reveal(target.api_key),
        "pnauth_scheme": target.pnauth_scheme,
        "user_id_encoding": target.user_id_encoding,
        "oauth_client_id": target.oauth_client_id,
        "oauth_client_secret": reveal(target.oauth_client_secret),
        "oauth_cert": target.oauth_cert_path,
        "oauth_key": target.oauth_key_path,
        "oauth_send": target.oauth_send,
        "spec": target.spec,
        "client_id_param": target.client_id_param,
        "operations": format_operations(target.operations),
    }
    return {_KEYS_BY_NAME[name].env: str(value) for name, value in values.items() if value}


def _is_url(text: str) -> bool:
    return urlsplit(text).scheme in ("http", "https")


# --------------------------------------------------------------------------------------- loading


def load_target(
    env: Mapping[str, str] | None = None,
    toml_path: str | Path | None = None,
    *,
    kind: str | None = None,
    spec: str | None = None,
    credentials: bool = True,
) -> Target:
    """Build the Target from ``MYPREF_*`` env vars over an optional TOML file, and validate it.

    The TOML file is ``toml_path``, else ``$MYPREF_CONFIG``, else ``./mypref.toml`` if present.
    Empty env values count as unset (CI systems often export empty variables), except an empty
    ``MYPREF_BASE_URL``, which is an error: it would otherwise silently mean "test the sandbox".
    Unknown ``MYPREF_*`` variables are an error naming the closest known one. ``kind`` (``--target``)
    beats ``MYPREF_TARGET`` / ``target =``: "configured" requires a base URL, "sandbox" forbids one.
    ``spec`` (``--spec PATH|URL``) beats ``MYPREF_SPEC`` / ``spec =``. ``credentials=False`` (commands that
    send nothing, e.g. ``spec roles``) does not require a configured target's ClientId, UserId and secrets.
    Raises :class:`ConfigError` with a one-line message on any invalid or missing setting.
    """
    env = os.environ if env is None else env
    check_env_names(env)
    if "MYPREF_BASE_URL" in env and not env["MYPREF_BASE_URL"].strip():
        # A CI variable that expanded to nothing must not quietly test the embedded sandbox instead.
        raise ConfigError("MYPREF_BASE_URL is set but empty: set it to the target's URL "
                          "(.../Profiles/v4), or unset it to test the embedded sandbox")
    file_path = _config_file_path(env, toml_path)
    file_values: dict[str, str] = {}
    ignored_secrets: list[str] = []
    if file_path is not None:
        file_values, ignored_secrets = _read_toml(file_path)

    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for key in KEYS:
        env_value = env.get(key.env, "").strip()
        if env_value:
            values[key.name] = _resolve_path(env_value, Path.cwd()) if key.path else env_value
            sources[key.name] = f"env {key.env}"
        elif key.name in file_values:
            raw = file_values[key.name]
            values[key.name] = _resolve_path(raw, file_path.parent) if key.path and file_path else raw
            sources[key.name] = f"file {file_path}"
    if kind is not None:
        values["target"], sources["target"] = kind, "option --target"
    if spec:
        values["spec"], sources["spec"] = _resolve_path(spec, Path.cwd()), "option --spec"
    for secret_name in ("api_key", "oauth_client_secret"):
        _read_secret_file(secret_name, values, sources)
    _check_target_kind(values, sources)
    target = _build_target(values, sources, file_path)
    if credentials:
        validate_target(target, ignored_secrets=ignored_secrets)
    return target


def check_env_names(env: Mapping[str, str]) -> None:
    """An unknown ``MYPREF_*`` variable is a typo until proven otherwise: ConfigError with a suggestion."""
    known = set(ENV_VARS)
    for name in sorted(env):
        if not name.startswith("MYPREF_") or name in known or name in _INTERNAL_ENV_VARS:
            continue
        if name.startswith(_INTERNAL_ENV_PREFIXES):
            continue
        # Compared without the shared MYPREF_ prefix, which would make every name look alike.
        suffixes = {k.removeprefix("MYPREF_"): k for k in known}
        close = difflib.get_close_matches(name.removeprefix("MYPREF_"), sorted(suffixes), n=1, cutoff=0.6)
        hint = f"did you mean {suffixes[close[0]]}?" if close else f"known: {', '.join(sorted(known))}"
        raise ConfigError(f"unknown variable {name} ({hint})")


def _check_target_kind(values: Mapping[str, str], sources: Mapping[str, str]) -> None:
    kind = values.get("target")
    if kind is None:
        return
    origin = sources.get("target", "MYPREF_TARGET")
    if kind.lower() not in TARGET_KINDS:
        raise ConfigError(f"unknown target {kind!r} ({origin}); use sandbox or configured")
    if kind.lower() == "configured" and not values.get("base_url"):
        raise ConfigError(f"target configured ({origin}) but MYPREF_BASE_URL is not set: "
                          "refusing to test the embedded sandbox instead")
    if kind.lower() == "sandbox" and values.get("base_url"):
        raise ConfigError(f"target sandbox ({origin}) but a base URL is configured "
                          f"({sources.get('base_url', 'MYPREF_BASE_URL')})")


def _read_secret_file(name: str, values: dict[str, str], sources: dict[str, str]) -> None:
    """Use ``<name>_file`` when no direct value from the same or a stronger source exists.

    Env beats file whichever form it uses: MYPREF_API_KEY_FILE overrides api_key in the TOML.
    """
    file_key = f"{name}_file"
    if file_key not in values:
        return
    direct = sources.get(name)
    if direct is not None and (direct.startswith("env") or sources[file_key].startswith("file")):
        return
    path = Path(values[file_key])
    values[name] = read_secret_file(path, f"{name} from {path} ({sources[file_key]})")
    sources[name] = f"{sources[file_key]} (contents)"


def read_secret_file(path: Path, label: str) -> str:
    """A secret kept in a file (a CI secret mount): its text without the trailing newline.

    The one reader of key and secret files (``*_FILE`` variables, ``sign --key-file``). ``label`` names
    the file in the one-line ConfigError: unreadable, not UTF-8, or empty.
    """
    try:
        content = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ConfigError(f"cannot read {label}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label} is not UTF-8 text") from None
    if not content:
        raise ConfigError(f"{label} is empty")
    return content


def _config_file_path(env: Mapping[str, str], toml_path: str | Path | None) -> Path | None:
    if toml_path is not None:
        path = Path(toml_path)
    elif env.get("MYPREF_CONFIG", "").strip():
        path = Path(env["MYPREF_CONFIG"].strip())
    else:
        default = Path.cwd() / DEFAULT_CONFIG_FILE
        return default if default.is_file() else None
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    return path.resolve()


def _read_toml(path: Path) -> tuple[dict[str, str], list[str]]:
    """Top-level scalar keys of the file (tables are left to other sections, e.g. [load]).

    Secrets are honoured only when the file is readable by its owner alone; otherwise they are
    ignored with a ConfigWarning (and named in the error if validation then misses them).
    """
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None

    values: dict[str, str] = {}
    for name, value in data.items():
        if name == "operations" and isinstance(value, dict):
            table = role_table(value, f"{path}: [operations]")
            values[name] = format_operations({role.value: operation for role, operation in table.items()})
            continue
        if isinstance(value, dict):
            continue
        key = _KEYS_BY_NAME.get(name)
        if key is None:
            known = ", ".join(k.name for k in KEYS)
            raise ConfigError(f"{path}: unknown key {name!r} (known keys: {known})")
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {name} must be a string, got {type(value).__name__}")
        if value.strip():
            values[name] = value.strip()

    ignored: list[str] = []
    secret_names = [k.name for k in KEYS if k.secret and k.name in values]
    if secret_names and _readable_by_others(path):
        for name in secret_names:
            del values[name]
        ignored = secret_names
        warnings.warn(
            ConfigWarning(
                f"{path} is readable by other users: ignoring {', '.join(secret_names)} from it "
                f"(chmod 600 the file, or pass secrets as MYPREF_* environment variables)"
            ),
            stacklevel=3,
        )
    return values, ignored


def _readable_by_others(path: Path) -> bool:
    if os.name != "posix":  # no POSIX mode bits to rely on
        return False
    return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))


def _resolve_path(value: str, base: Path) -> str:
    if _is_url(value):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def _build_target(
    values: Mapping[str, str], sources: Mapping[str, str], file_path: Path | None
) -> Target:
    def where(name: str) -> str:
        return sources.get(name, _KEYS_BY_NAME[name].env)

    auth = values.get("auth", "pnauth").lower()
    if auth not in AUTH_MODES:
        raise ConfigError(f"unknown auth mode {values['auth']!r} ({where('auth')}); use pnauth or oauth")
    oauth_send = values.get("oauth_send", "basic").lower()
    if oauth_send not in OAUTH_SEND_MODES:
        raise ConfigError(f"unknown oauth_send {values['oauth_send']!r} ({where('oauth_send')}); "
                          "use basic or body")
    encoding = values.get("user_id_encoding")
    if encoding is not None:
        encoding = encoding.lower()
        if encoding not in USER_ID_ENCODINGS:
            raise ConfigError(f"unknown user_id_encoding {values['user_id_encoding']!r} "
                              f"({where('user_id_encoding')}); use form or percent")
    scheme_text = values.get("pnauth_scheme", DEFAULT_PNAUTH_SCHEME)
    try:
        scheme = parse_scheme(scheme_text).name  # the signer's own list: canonical upper case
    except PnAuthError:
        raise ConfigError(f"unsupported PNAUTHINFO3 scheme {scheme_text!r} ({where('pnauth_scheme')}); "
                          f"expected e.g. PNAUTHINFO3-HMAC-SHA256 or PNAUTHINFO3-SHA512") from None

    base_url = _normalise_url(values.get("base_url"), where("base_url"))
    token_url = _normalise_url(values.get("token_url"), where("token_url"))
    cert = _existing_file(values.get("oauth_cert"), where("oauth_cert"))
    key = _existing_file(values.get("oauth_key"), where("oauth_key"))
    spec = values.get("spec", "")
    if spec and not _is_url(spec) and not Path(spec).is_file():
        raise ConfigError(f"spec file not found: {spec} ({where('spec')})")

    return Target(
        base_url=base_url,
        token_url=token_url,
        client_id=values.get("client_id"),
        user_id=values.get("user_id"),
        auth=auth,
        api_key=as_secret(values.get("api_key")),
        pnauth_scheme=scheme,
        user_id_encoding=encoding,
        oauth_client_id=values.get("oauth_client_id"),
        oauth_client_secret=as_secret(values.get("oauth_client_secret")),
        oauth_cert_path=cert,
        oauth_key_path=key,
        oauth_send=oauth_send,
        spec=spec,
        profile=Path(values["profile"]) if values.get("profile") else None,
        client_id_param=values.get("client_id_param"),
        operations=parse_operations(values.get("operations", ""), where("operations")),
        config_file=file_path,
        sources=dict(sources),
    )


def format_operations(operations: Mapping[str, str]) -> str:
    """The [operations] table as one line (MYPREF_OPERATIONS): ``create-profile=Profile_Create;...``."""
    return ";".join(f"{role}={name}" for role, name in operations.items())


def parse_operations(text: str, origin: str) -> dict[str, str]:
    """The inverse of :func:`format_operations`; role names are checked (an unknown one is an error)."""
    entries: dict[str, str] = {}
    for item in text.split(";"):
        if not item.strip():
            continue
        role, sep, name = item.partition("=")
        if not sep:
            raise ConfigError(f"{origin}: {item.strip()!r} is not role=operation")
        entries[role.strip()] = name.strip()
    return {role.value: name for role, name in role_table(entries, origin).items()}


def _normalise_url(value: str | None, origin: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"malformed URL {value!r} ({origin}): expected http(s)://host[:port]/path")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"malformed URL {value!r} ({origin}): bad port") from None
    if parts.query or parts.fragment:
        raise ConfigError(f"malformed URL {value!r} ({origin}): no query or fragment allowed")
    if parts.username or parts.password:
        raise ConfigError(f"malformed URL ({origin}): credentials in the URL are not allowed")
    return value.rstrip("/")


def _existing_file(value: str | None, origin: str) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise ConfigError(f"file not found: {path} ({origin})")
    return path


def validate_target(target: Target, *, ignored_secrets: list[str] | None = None) -> None:
    """Raise ConfigError when a configured target cannot be used as it is.

    An embedded target (no base URL) needs nothing: the sandbox supplies URLs and credentials.
    """
    if target.auth not in AUTH_MODES:
        raise ConfigError(f"unknown auth mode {target.auth!r}; use pnauth or oauth")
    if target.oauth_send not in OAUTH_SEND_MODES:
        raise ConfigError(f"unknown oauth_send {target.oauth_send!r}; use basic or body")
    if (target.oauth_cert_path is None) != (target.oauth_key_path is None):
        raise ConfigError("MYPREF_OAUTH_CERT and MYPREF_OAUTH_KEY must be set together")
    if target.is_embedded:
        return
    hint = ""
    if ignored_secrets:
        hint = f" ({', '.join(ignored_secrets)} in {target.config_file} ignored: file readable by others)"
    wanted = (("MYPREF_CLIENT_ID", target.client_id), ("MYPREF_USER_ID", target.user_id))
    missing = [env for env, value in wanted if not value]
    if missing:
        raise ConfigError(f"target {target.base_url} needs {' and '.join(missing)}")
    if target.auth == "pnauth" and not target.api_key:
        raise ConfigError(f"auth pnauth needs MYPREF_API_KEY (the PNAUTHINFO3 key) for "
                          f"{target.base_url}{hint}")
    if target.auth == "oauth":
        if not target.token_url:
            raise ConfigError("auth oauth needs MYPREF_TOKEN_URL")
        if not target.oauth_client_id:
            raise ConfigError("auth oauth needs MYPREF_OAUTH_CLIENT_ID")
        if target.uses_certificate and target.oauth_client_secret:
            raise ConfigError("set either MYPREF_OAUTH_CLIENT_SECRET or MYPREF_OAUTH_CERT/MYPREF_OAUTH_KEY, "
                              "not both")
        if not target.uses_certificate and not target.oauth_client_secret:
            raise ConfigError("auth oauth needs MYPREF_OAUTH_CLIENT_SECRET or MYPREF_OAUTH_CERT + "
                              f"MYPREF_OAUTH_KEY{hint}")


def describe_kind(target: Target) -> str:
    """"embedded sandbox" or "configured target <url>": the first words of every run's first line."""
    if target.is_sandbox or target.is_embedded:
        where = f" at {target.base_url}" if target.base_url else ""
        return f"embedded sandbox{where}"
    return f"configured target {target.base_url}"
