"""Registry of the named, deliberately realistic bugs the sandbox can be started with (``--defect NAME``).

Each defect is off by default and flips exactly one behaviour, so the contract and auth-conformance suites
can prove they catch it. Auth defects are implemented in ``api_auth.py``/``oauth_server.py``/``app.py``;
data defects in the data layer (``api.py``, ``operations/``), which asks ``settings.has_defect(name)``.
"""

from __future__ import annotations

from dataclasses import dataclass

AREA_AUTH = "auth"
AREA_DATA = "data"


@dataclass(frozen=True)
class Defect:
    name: str
    area: str
    description: str


_ALL = (
    # -- auth (sandbox core) ---------------------------------------------------------------------
    Defect(
        "future-timestamp-accepted",
        AREA_AUTH,
        "PNAUTHINFO3: an issued timestamp up to the expiry window in the future is accepted "
        "(should be 401 'does not match an expected ISO 8601 format').",
    ),
    Defect(
        "day-long-window",
        AREA_AUTH,
        "PNAUTHINFO3: the expiry window is 86400 s whatever the client's configuration, so a request "
        "issued an hour ago is accepted (should be 401 '... is too large').",
    ),
    Defect(
        "clientid-case-insensitive",
        AREA_AUTH,
        "PNAUTHINFO3 signatures are checked over the registered spelling of the ClientId instead of the "
        "URL's, so /SANCHEZASSOCIATES/... signed for SanchezAssociates is accepted (the docs: a ClientId "
        "in another case fails, 401 'Unable to authenticate request'); Bearer tokens match the path "
        "ClientId case-insensitively too.",
    ),
    Defect(
        "unknown-user-accepted",
        AREA_AUTH,
        "PNAUTHINFO3: a correctly signed request for a UserId that is not a user of the client is "
        "accepted (should be 401 'Unable to authenticate request'); the token endpoint accepts such a "
        "scope too.",
    ),
    Defect(
        "missing-www-authenticate",
        AREA_AUTH,
        "401 responses of the API carry no WWW-Authenticate header (should be 'PNAUTHINFO3 realm=\"...\"').",
    ),
    Defect(
        "unknown-client-404-body",
        AREA_AUTH,
        'An unknown ClientId gets a 404 with a JSON body {"Message": "Client not found"} (the docs: '
        "404 with no body).",
    ),
    Defect(
        "sha1-accepted",
        AREA_AUTH,
        "PNAUTHINFO3-HMAC-SHA1 and PNAUTHINFO3-SHA1 are accepted when correctly signed (should be 401 "
        "'The scheme is invalid'; only SHA256/384/512 exist).",
    ),
    Defect(
        "signature-prefix-compare",
        AREA_AUTH,
        "PNAUTHINFO3: only the first 8 characters of the Base64 signature are compared, so a signature "
        "with a wrong tail is accepted (should be 401 'Unable to authenticate request').",
    ),
    Defect(
        "expired-token-accepted",
        AREA_AUTH,
        "Bearer: the JWT 'exp' claim is not checked, so an expired access token is accepted (should be "
        '401 with WWW-Authenticate: Bearer error="invalid_token").',
    ),
    Defect(
        "cross-tenant-token",
        AREA_AUTH,
        "Bearer: the token's ClientId (sub = ClientId/UserId) is not compared with the path ClientId, so "
        "a token of one tenant reads another tenant's data (should be 401).",
    ),
    Defect(
        "alg-none-accepted",
        AREA_AUTH,
        "Bearer: an unsigned token with header alg 'none' is accepted when its claims look right "
        "(should be 401 invalid_token).",
    ),
    # -- contract and data (sandbox data layer) --------------------------------------------------
    Defect(
        "undeclared-field",
        AREA_DATA,
        "Profile responses carry an extra property that the OpenAPI contract does not declare.",
    ),
    Defect(
        "wrong-status-create",
        AREA_DATA,
        "Create profile answers 200 instead of the documented 201.",
    ),
    Defect(
        "unicode-500",
        AREA_DATA,
        "A 500 on some non-ASCII input in a profile name.",
    ),
    Defect(
        "update-drops-field",
        AREA_DATA,
        "POST update profile silently drops one supplied field.",
    ),
    Defect(
        "history-not-recorded",
        AREA_DATA,
        "Changes of standard profile fields are not written to their history.",
    ),
    Defect(
        "search-cap-ignored",
        AREA_DATA,
        "A profile search with more than 50 matches answers 200 instead of the documented error.",
    ),
    Defect(
        "put-as-post",
        AREA_DATA,
        "PUT merges into the stored profile instead of replacing it.",
    ),
    Defect(
        "lost-update",
        AREA_DATA,
        "About one acknowledged profile update in 20 is not persisted.",
    ),
)

DEFECTS: dict[str, Defect] = {d.name: d for d in _ALL}


def format_defect_list() -> str:
    """One defect a line, the name first (the ``--list-defects`` output other tools parse)."""
    width = max(len(name) for name in DEFECTS)
    return "\n".join(f"{d.name:<{width}}  [{d.area}] {d.description}" for d in DEFECTS.values())
