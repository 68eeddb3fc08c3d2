"""The sandbox's tenants (MyPreferences clients), their users, keys and OAuth clients.

Built from the demo values in ``mypref_harness.demo`` (demo-only, public on purpose), optionally
overridden by a JSON file (``--tenants-file``) so secrets never have to appear on a command line:

    {"tenants": [{"client_id": "ACME_CORP", "users": ["John.Doe"], "api_key": "...",
                  "pnauth_window": 900, "token_lifetime": 300,
                  "oauth": {"client_id": "<48 chars>", "client_secret": "<64 chars>",
                            "token_lifetime": 300}}]}      # per OAuth client, optional

A tenant whose client_id matches a demo tenant replaces the given fields; others are added.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from mypref_harness import demo
from mypref_harness.errors import ConfigError
from mypref_harness.sandbox.certs import DemoCertificate
from mypref_harness.sandbox.settings import SandboxSettings


@dataclass(frozen=True)
class OAuthClient:
    client_id: str  # the OAuth client id (48 characters for the demo), not the MyPreferences ClientId
    tenant_id: str  # the MyPreferences ClientId it may request scopes for
    secret: str | None = None
    certificate_x5t: str | None = None  # SHA-1 thumbprint of the registered certificate
    certificate_key: PublicKeyTypes | None = field(default=None, compare=False, repr=False)
    token_lifetime: int | None = None  # None: the tenant's


@dataclass(frozen=True)
class Tenant:
    client_id: str
    users: tuple[str, ...]  # the first one is the "default" user of the credentials
    api_key: str = field(repr=False)
    pnauth_window: int
    token_lifetime: int
    oauth_clients: tuple[OAuthClient, ...] = ()

    @property
    def user_id(self) -> str:
        return self.users[0]


class TenantRegistry:
    def __init__(self, tenants: list[Tenant]) -> None:
        self._tenants = {t.client_id: t for t in tenants}
        self._folded = {t.client_id.casefold(): t for t in tenants}
        self._oauth = {c.client_id: c for t in tenants for c in t.oauth_clients}

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self._tenants.values())

    def __len__(self) -> int:
        return len(self._tenants)

    @property
    def tenants(self) -> list[Tenant]:
        return list(self._tenants.values())

    def get(self, client_id: str, *, case_insensitive: bool = False) -> Tenant | None:
        """The tenant for a path ClientId; exact spelling unless the caller opts into the defect."""
        tenant = self._tenants.get(client_id)
        if tenant is None and case_insensitive:
            tenant = self._folded.get(client_id.casefold())
        return tenant

    def oauth_client(self, oauth_client_id: str) -> OAuthClient | None:
        return self._oauth.get(oauth_client_id)

    def token_lifetime(self, client: OAuthClient) -> int:
        if client.token_lifetime is not None:
            return client.token_lifetime
        tenant = self._tenants[client.tenant_id]
        return tenant.token_lifetime


def _demo_tenants(settings: SandboxSettings, cert: DemoCertificate | None) -> list[Tenant]:
    sanchez = Tenant(
        client_id=demo.SANCHEZ.client_id,
        users=tuple(u for u in (demo.SANCHEZ.user_id, demo.SANCHEZ.second_user_id) if u),
        api_key=demo.SANCHEZ.api_key,
        pnauth_window=settings.pnauth_window,
        token_lifetime=settings.token_lifetime,
    )
    acme_clients: list[OAuthClient] = []
    if demo.ACME.oauth_client_id and demo.ACME.oauth_client_secret:
        acme_clients.append(
            OAuthClient(demo.ACME.oauth_client_id, demo.ACME.client_id, secret=demo.ACME.oauth_client_secret)
        )
    if cert is not None:
        acme_clients.append(
            OAuthClient(
                demo.ACME_CERT_OAUTH_CLIENT_ID,
                demo.ACME.client_id,
                certificate_x5t=cert.x5t,
                certificate_key=cert.public_key,
            )
        )
    acme = Tenant(
        client_id=demo.ACME.client_id,
        users=(demo.ACME.user_id,),
        api_key=demo.ACME.api_key,
        pnauth_window=settings.pnauth_window,
        token_lifetime=settings.token_lifetime,
        oauth_clients=tuple(acme_clients),
    )
    return [sanchez, acme]


def _positive_int(entry: dict[str, Any], key: str, default: int) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"tenants file: {key} must be a positive integer")
    return value


def _apply_override(base: Tenant | None, entry: dict[str, Any], settings: SandboxSettings) -> Tenant:
    client_id = entry.get("client_id")
    if not isinstance(client_id, str) or not client_id or "/" in client_id:
        raise ConfigError("tenants file: every tenant needs a client_id without '/'")
    users = entry.get("users", list(base.users) if base else None)
    if not users or not all(isinstance(u, str) and u for u in users):
        raise ConfigError(f"tenants file: tenant {client_id} needs a non-empty list of users")
    api_key = entry.get("api_key", base.api_key if base else None)
    if not isinstance(api_key, str) or not api_key:
        raise ConfigError(f"tenants file: tenant {client_id} needs an api_key")
    window = _positive_int(entry, "pnauth_window", base.pnauth_window if base else settings.pnauth_window)
    lifetime = _positive_int(
        entry, "token_lifetime", base.token_lifetime if base else settings.token_lifetime
    )
    clients = list(base.oauth_clients) if base else []
    oauth = entry.get("oauth")
    if oauth is not None:
        if not isinstance(oauth, dict) or not oauth.get("client_id") or not oauth.get("client_secret"):
            raise ConfigError(f"tenants file: oauth of {client_id} needs client_id and client_secret")
        # The secret client is replaced; a certificate client stays registered.
        clients = [c for c in clients if c.secret is None]
        client_lifetime = (
            _positive_int(oauth, "token_lifetime", lifetime) if "token_lifetime" in oauth else None
        )
        clients.insert(
            0,
            OAuthClient(
                str(oauth["client_id"]),
                client_id,
                secret=str(oauth["client_secret"]),
                token_lifetime=client_lifetime,
            ),
        )
    return Tenant(client_id, tuple(users), api_key, window, lifetime, tuple(clients))


def load_overrides(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read tenants file {path}: {exc.strerror}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"tenants file {path} is not valid JSON: {exc}") from exc
    entries = data.get("tenants") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f'tenants file {path} must be {{"tenants": [{{...}}, ...]}}')
    return entries


def build_tenants(settings: SandboxSettings, cert: DemoCertificate | None) -> TenantRegistry:
    tenants = {t.client_id: t for t in _demo_tenants(settings, cert)}
    if settings.tenants_file is not None:
        for entry in load_overrides(settings.tenants_file):
            base = tenants.get(str(entry.get("client_id")))
            tenant = _apply_override(base, entry, settings)
            tenants[tenant.client_id] = tenant
    registry = TenantRegistry(list(tenants.values()))
    seen: set[str] = set()
    for tenant in registry:
        for client in tenant.oauth_clients:
            if client.client_id in seen:
                raise ConfigError(f"OAuth client id registered twice: {client.client_id[:6]}...")
            seen.add(client.client_id)
    return registry


def credentials_document(
    settings: SandboxSettings, registry: TenantRegistry, cert: DemoCertificate | None
) -> dict[str, Any]:
    """The ``--show-credentials`` JSON (and the payload of the ready line)."""
    root = settings.root_url
    tenants: list[dict[str, Any]] = []
    for tenant in registry:
        secret_client = next((c for c in tenant.oauth_clients if c.secret is not None), None)
        cert_client = next((c for c in tenant.oauth_clients if c.certificate_x5t is not None), None)
        doc: dict[str, Any] = {
            "client_id": tenant.client_id,
            "user_id": tenant.user_id,
            "users": list(tenant.users),
            "api_key": tenant.api_key,
            "oauth": (
                {"client_id": secret_client.client_id, "client_secret": secret_client.secret}
                if secret_client
                else None
            ),
            "oauth_certificate": (
                {
                    "client_id": cert_client.client_id,
                    "cert_path": str(cert.cert_path),
                    "key_path": str(cert.key_path),
                    "x5t": cert_client.certificate_x5t,
                }
                if cert_client and cert
                else None
            ),
            "pnauth_window": tenant.pnauth_window,
            "token_lifetime": tenant.token_lifetime,
        }
        tenants.append(doc)
    return {
        "base_url": f"{root}/Profiles/v4",
        "token_url": f"{root}/oauth2/v1/token",
        "jwks_url": f"{root}/oauth2/v1/keys",
        "root_url": root,
        "issuer": issuer(settings),
        "audience": audience(settings),
        "tenants": tenants,
    }


def issuer(settings: SandboxSettings) -> str:
    return f"{settings.root_url}/oauth2/v1"


def audience(settings: SandboxSettings) -> str:
    return f"{settings.root_url}/Profiles/v4"
