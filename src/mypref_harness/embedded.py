"""The embedded sandbox for one run: start it when the Target names no base URL, and fill the Target in.

No configuration means "test the embedded sandbox": :func:`resolved_target` starts the sandbox
subprocess for the length of a ``with`` block and yields a Target that carries its URLs and the
credentials of one of its tenants (:func:`target_for_sandbox`); a configured Target passes through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mypref_harness import resources
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.sandbox.process import running_sandbox
from mypref_harness.secret import as_secret
from mypref_harness.spec.document import load_spec

# The tenant the embedded sandbox is tested as: it has both a PNAUTHINFO3 key and an OAuth client.
DEFAULT_SANDBOX_CLIENT_ID = "ACME_CORP"


@contextmanager
def resolved_target(target: Target, *, certificate: bool = False, **sandbox_options: Any) -> Iterator[Target]:
    """Yield a usable Target: a configured one unchanged; for an embedded one, a running sandbox.

    For the embedded case the sandbox subprocess is started with ``sandbox_options`` (see
    ``mypref_harness.sandbox.process.running_sandbox``) and stopped when the block exits. The
    yielded Target carries the sandbox URLs and the credentials of tenant ``target.client_id``
    (default ACME_CORP, which has a PNAUTHINFO3 key and an OAuth client). ``certificate=True``
    selects the tenant's certificate OAuth client (private_key_jwt) instead of its secret client.
    """
    if not target.is_embedded:
        yield target
        return
    with running_sandbox(**sandbox_options) as handle:
        yield target_for_sandbox(target, handle.credentials, root_url=handle.root_url,
                                 certificate=certificate)


def target_for_sandbox(
    target: Target, credentials: Mapping[str, Any], *, root_url: str | None = None, certificate: bool = False
) -> Target:
    """Fill an embedded Target from the sandbox's ``--show-credentials`` dict.

    Credentials come from the sandbox, not the configuration: values such as MYPREF_API_KEY are
    ignored for an embedded target (only client_id/user_id select the tenant and user).
    """
    tenants = list(credentials.get("tenants") or [])
    wanted = target.client_id or DEFAULT_SANDBOX_CLIENT_ID
    tenant = next((t for t in tenants if t.get("client_id") == wanted), None)
    if tenant is None:
        known = ", ".join(str(t.get("client_id")) for t in tenants) or "none"
        raise ConfigError(f"the embedded sandbox has no tenant {wanted!r} (tenants: {known})")
    oauth = tenant.get("oauth") or {}
    cert_client = tenant.get("oauth_certificate") or {}
    if certificate and not cert_client:
        raise ConfigError(f"sandbox tenant {wanted} has no certificate OAuth client")
    if target.auth == "oauth" and not certificate and not oauth:
        raise ConfigError(f"sandbox tenant {wanted} has no OAuth client; use MYPREF_AUTH=pnauth")
    base_url = str(credentials["base_url"]).rstrip("/")
    if certificate:
        oauth_fields: dict[str, Any] = {
            "oauth_client_id": cert_client.get("client_id"),
            "oauth_client_secret": None,
            "oauth_cert_path": Path(cert_client["cert_path"]),
            "oauth_key_path": Path(cert_client["key_path"]),
        }
    else:
        oauth_fields = {
            "oauth_client_id": oauth.get("client_id"),
            "oauth_client_secret": as_secret(oauth.get("client_secret")),
            "oauth_cert_path": None,
            "oauth_key_path": None,
        }
    filled = dataclasses.replace(
        target,
        base_url=base_url,
        token_url=credentials.get("token_url"),
        jwks_url=credentials.get("jwks_url"),
        client_id=wanted,
        user_id=target.user_id or tenant.get("user_id"),
        api_key=as_secret(tenant.get("api_key")),
        sandbox_root_url=root_url or _root_of(base_url),
        **oauth_fields,
    )
    return _with_spec_paths(filled)


def _with_spec_paths(target: Target) -> Target:
    """A user's spec reconciled with the sandbox's URL (its paths may carry /Profiles/v4, or a basePath);
    ours needs nothing: its paths are relative to the sandbox's base URL."""
    if Path(target.spec).resolve() == resources.spec_file().resolve():
        return target
    return target.with_spec(load_spec(target.spec, validate=False).document)


def _root_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"
