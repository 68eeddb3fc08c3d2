"""The path parameters the harness fills in itself: the ClientId (pinned to the configured account,
signed, checked by ``unknown_client_404_empty``) and the ProfileId (of a profile it created).

A spec spells them as it likes (``{clientId}``, ``{ClientId}``, ``{client_id}``): they are found by
name, compared lower-case. A vendor file that calls the ClientId something else (``{accountId}``)
names it with ``client_id_param`` in mypref.toml (``MYPREF_CLIENT_ID_PARAM``); that name then is the
only ClientId parameter.
"""

from __future__ import annotations

import re
from urllib.parse import quote

CLIENT_ID_PARAM_NAMES = frozenset({"clientid", "client_id"})
PROFILE_ID_PARAM_NAMES = frozenset({"profileid", "profile_id"})


def is_client_id_param(name: str, configured: str | None = None) -> bool:
    """``name`` carries the ClientId: it is the configured ``client_id_param`` (any case), or, when none
    is configured, one of the usual spellings."""
    if configured:
        return name.lower() == configured.lower()
    return name.lower() in CLIENT_ID_PARAM_NAMES


def is_profile_id_param(name: str) -> bool:
    return name.lower() in PROFILE_ID_PARAM_NAMES


def fill_client_id(template: str, client_id: str, configured: str | None = None) -> str:
    """``template`` with every ClientId parameter replaced by ``client_id`` (percent-encoded as a segment);
    other parameters are left as they are."""

    def value(match: re.Match[str]) -> str:
        return quote(client_id, safe="") if is_client_id_param(match.group(1), configured) else match.group(0)

    return _PARAMETER.sub(value, template)


_PARAMETER = re.compile(r"\{([^}]+)\}")
