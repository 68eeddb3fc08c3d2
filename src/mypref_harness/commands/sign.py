"""`mypref-harness sign`: print a PNAUTHINFO3 Authorization header value (last line of output).

The key is never taken from the command line: ``--key-file``, else ``MYPREF_API_KEY``, else the file
named by ``MYPREF_API_KEY_FILE``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mypref_harness.auth.pnauth import (
    DEFAULT_ENCODING,
    DEFAULT_SCHEME,
    PnAuthError,
    UserIdEncoding,
    parse_scheme,
    sign_header,
)
from mypref_harness.auth.timestamps import TimestampFormatError, parse_issued
from mypref_harness.config import read_secret_file
from mypref_harness.errors import ConfigError

KEY_ENV = "MYPREF_API_KEY"
KEY_FILE_ENV = "MYPREF_API_KEY_FILE"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sign",
        help="print a PNAUTHINFO3 Authorization header value",
        description="Sign one request with PNAUTHINFO3. The header value is the last line of output. "
        f"The key comes from ${KEY_ENV} or --key-file, never from the command line.",
    )
    parser.add_argument(
        "--client-id",
        default=os.environ.get("MYPREF_CLIENT_ID"),
        help="ClientId exactly as in the request URL (case-sensitive; env MYPREF_CLIENT_ID)",
    )
    parser.add_argument(
        "--user-id", default=os.environ.get("MYPREF_USER_ID"), help="UserId, unencoded (env MYPREF_USER_ID)"
    )
    parser.add_argument("--timestamp", help="issued timestamp, signed verbatim (default: now, UTC, seconds)")
    parser.add_argument(
        "--scheme",
        default=os.environ.get("MYPREF_PNAUTH_SCHEME", DEFAULT_SCHEME),
        help=f"scheme, case-insensitive (default {DEFAULT_SCHEME}; env MYPREF_PNAUTH_SCHEME)",
    )
    parser.add_argument(
        "--encoding",
        choices=[e.value for e in UserIdEncoding],
        default=os.environ.get("MYPREF_USER_ID_ENCODING", DEFAULT_ENCODING.value).lower(),
        help=f"UserId URL-encoding (default {DEFAULT_ENCODING.value}; env MYPREF_USER_ID_ENCODING)",
    )
    parser.add_argument("--key-file", type=Path, help=f"file holding the key (default: ${KEY_ENV})")
    parser.add_argument(
        "--no-check-timestamp",
        action="store_true",
        help="sign a --timestamp even if it is not an accepted ISO 8601 form (negative tests)",
    )
    parser.add_argument("--curl", metavar="URL", help="also print a ready curl command for URL")
    parser.set_defaults(func=run)


def read_key(key_file: Path | None, env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    if key_file is not None:
        return read_secret_file(key_file, f"--key-file {key_file}")
    key = env.get(KEY_ENV, "")
    if not key and env.get(KEY_FILE_ENV, "").strip():
        return read_key(Path(env[KEY_FILE_ENV].strip()), env)  # CI secret mounts
    if not key:
        raise ConfigError(f"no PNAUTHINFO3 key: set {KEY_ENV} (or {KEY_FILE_ENV}) or pass --key-file")
    return key


def run(args: argparse.Namespace) -> int:
    if not args.client_id:
        raise ConfigError("--client-id is required (or set MYPREF_CLIENT_ID)")
    if not args.user_id:
        raise ConfigError("--user-id is required (or set MYPREF_USER_ID)")
    try:
        scheme = parse_scheme(args.scheme)
    except PnAuthError:
        raise ConfigError(
            f"unknown scheme {args.scheme!r}: use PNAUTHINFO3-[HMAC-]SHA256|SHA384|SHA512"
        ) from None
    if args.timestamp is not None and not args.no_check_timestamp:
        try:
            parse_issued(args.timestamp)
        except TimestampFormatError as exc:
            raise ConfigError(
                f"malformed --timestamp {args.timestamp!r}: {exc} "
                "(use e.g. 2015-08-10T20:11:00Z; --no-check-timestamp signs it anyway)"
            ) from None
    try:
        encoding = UserIdEncoding(args.encoding)
    except ValueError:
        raise ConfigError(f"unknown UserId encoding {args.encoding!r}: use form or percent") from None
    key = read_key(args.key_file)
    try:
        header = sign_header(
            key=key,
            client_id=args.client_id,
            user_id=args.user_id,
            scheme=scheme,
            timestamp=args.timestamp,
            encoding=encoding,
        )
    except UnicodeEncodeError:
        raise ConfigError("the key, ClientId, UserId or timestamp is not valid UTF-8 text") from None
    if args.curl:
        _warn_on_client_id_mismatch(args.curl, args.client_id)
        print(curl_command(args.curl, header))
    print(header)
    return 0


def curl_command(url: str, header: str) -> str:
    return " ".join(
        [
            "curl",
            "-sS",
            "-H",
            shlex.quote(f"Authorization: {header}"),
            "-H",
            shlex.quote("Accept: application/json"),
            shlex.quote(url),
        ]
    )


def _warn_on_client_id_mismatch(url: str, client_id: str) -> None:
    # The signature covers the ClientId of the URL, case-sensitively: catch the classic mismatch early.
    segments = [unquote(s) for s in urlsplit(url).path.split("/")]
    if client_id not in segments:
        print(
            f"warning: the URL path has no segment {client_id!r}; the server signs the ClientId of the URL "
            "(case-sensitive), so this request will likely be rejected",
            file=sys.stderr,
        )
