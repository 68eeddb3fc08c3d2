"""Authentication for Schemathesis-generated requests, as logic free of Schemathesis.

`ContractAuth` is what the Schemathesis auth provider and hooks (see hooks.py) delegate to:

* PNAUTHINFO3: a fresh header per request, signed for the ClientId the request really goes to.
  Schemathesis hands ``auth.set()`` the case BEFORE the ``[parameters]`` overrides are applied
  (coverage phase), so the header is signed again in ``before_call`` on the final case; path
  parameters are percent-encoded in the case and are unquoted first (the server signs the decoded
  segment). Only headers of our own scheme are re-signed: negative-auth cases that removed or
  garbled the header stay as generated (``ignored_auth`` relies on that).
* OAuth: a bearer token from the package's TokenSource (cached, refreshed before expiry). Schemathesis
  itself is told NOT to refetch on 401 (``retry_on=[]``): its default refetches on every 401,
  bad-signature 401s included, which is a token-fetch storm. Instead, after a 401 that is a token
  error (adapters.is_token_error) we invalidate exactly the token that was sent; the next case
  fetches a new one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any
from urllib.parse import unquote

from mypref_harness.auth import pnauth
from mypref_harness.auth.adapters import is_token_error
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.secret import reveal
from mypref_harness.spec.params import is_client_id_param

# Env var the harness sets for the Schemathesis subprocess: seconds added to the local clock when
# signing (negative when the local clock runs ahead of the target's Date header).
ENV_CLOCK_OFFSET = "MYPREF_CONTRACT_CLOCK_OFFSET"
PNAUTH_MARKER = "pnauth"  # what get() returns for PNAUTHINFO3: Schemathesis needs a non-None value


def client_id_from_path(
    path_parameters: Mapping[str, Any] | None, configured: str | None = None
) -> str | None:
    """The ClientId a request goes to (its ClientId path parameter, ``configured`` = client_id_param)."""
    for name, value in (path_parameters or {}).items():
        if is_client_id_param(name, configured) and value is not None:
            return unquote(str(value))
    return None


def _authorization(headers: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """(actual header name, value) of the Authorization header, matched case-insensitively."""
    for name, value in (headers or {}).items():
        if str(name).lower() == "authorization":
            return str(name), None if value is None else str(value)
    return None, None


class ContractAuth:
    def __init__(
        self,
        target: Target,
        *,
        clock_offset: float = 0.0,
        token_source: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not target.client_id or not target.user_id:
            raise ConfigError(
                "the contract run needs a ClientId and a UserId (MYPREF_CLIENT_ID, MYPREF_USER_ID)"
            )
        self.mode = target.auth
        self.client_id = target.client_id
        self.client_id_param = target.client_id_param
        self.user_id = target.user_id
        self.clock_offset = clock_offset
        self._clock = clock
        self._key = ""
        self._scheme = pnauth.parse_scheme(target.pnauth_scheme)
        self._encoding = target.user_id_encoding or pnauth.DEFAULT_ENCODING
        self.token_source = token_source
        if self.mode == "oauth":
            if self.token_source is None:
                from mypref_harness.credentials import token_source_for

                self.token_source = token_source_for(target)
        else:
            key = reveal(target.api_key)
            if not key:
                raise ConfigError("PNAUTHINFO3 needs MYPREF_API_KEY")
            self._key = key
        self.invalidations = 0

    def __repr__(self) -> str:  # never show the key or a token
        return f"ContractAuth(mode={self.mode}, client={self.client_id}, user={self.user_id})"

    # -- provider -------------------------------------------------------------------------------
    def credential(self) -> str:
        """The provider's get(): a bearer token, or a marker for PNAUTHINFO3 (signed per request)."""
        if self.mode == "oauth":
            return str(self.token_source.token())
        return PNAUTH_MARKER

    def header_for(self, path_parameters: Mapping[str, Any] | None, credential: str) -> str:
        if self.mode == "oauth":
            return f"Bearer {credential}"
        return self.sign(client_id_from_path(path_parameters, self.client_id_param) or self.client_id)

    def sign(self, client_id: str) -> str:
        return pnauth.sign_header(
            key=self._key,
            client_id=client_id,
            user_id=self.user_id,
            scheme=self._scheme,
            encoding=self._encoding,
            now=self._clock() + self.clock_offset,
        )

    # -- hooks ----------------------------------------------------------------------------------
    def is_own_pnauth_header(self, value: str | None) -> bool:
        if not value:
            return False
        scheme, _, rest = value.partition(" ")
        return scheme.upper() == self._scheme.name and rest.startswith("Credential=")

    def resign(
        self, headers: MutableMapping[str, Any] | None, path_parameters: Mapping[str, Any] | None
    ) -> bool:
        """before_call: sign the final request again. Returns True when the header was replaced."""
        if self.mode != "pnauth" or headers is None:
            return False
        name, value = _authorization(headers)
        if name is None or not self.is_own_pnauth_header(value):
            return False
        client_id = client_id_from_path(path_parameters, self.client_id_param)
        headers[name] = self.sign(client_id or self.client_id)
        return True

    def observe(self, request_headers: Mapping[str, Any] | None, response: Any) -> bool:
        """after_call: drop the cached token when the target says it is expired/invalid.

        Returns True when a token was invalidated. Bad-signature or scope 401s never count.
        """
        if self.mode != "oauth" or getattr(response, "status_code", None) != 401:
            return False
        if not is_token_error(response):
            return False
        _, value = _authorization(request_headers)
        if not value or not value.startswith("Bearer "):
            return False
        if self.token_source.invalidate(value[len("Bearer ") :]):
            self.invalidations += 1
            return True
        return False
