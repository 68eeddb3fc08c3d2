"""Authentication: PNAUTHINFO3 signing and verification (OAuth lives in ``auth.oauth``)."""

from mypref_harness.auth.pnauth import (
    DEFAULT_ENCODING,
    DEFAULT_SCHEME,
    ParsedHeader,
    PnAuthError,
    Reason,
    Scheme,
    Signer,
    UserIdEncoding,
    build_message,
    compute_signature,
    encode_user_id,
    parse_header,
    parse_scheme,
    sign_header,
)

__all__ = [
    "DEFAULT_ENCODING",
    "DEFAULT_SCHEME",
    "ParsedHeader",
    "PnAuthError",
    "Reason",
    "Scheme",
    "Signer",
    "UserIdEncoding",
    "build_message",
    "compute_signature",
    "encode_user_id",
    "parse_header",
    "parse_scheme",
    "sign_header",
]
