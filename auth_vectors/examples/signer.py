#!/usr/bin/env python3
"""A minimal PNAUTHINFO3 signer speaking the check-cmd protocol (standard library only).

Reads one JSON object on stdin: {"tcId", "scheme", "key", "clientId", "userId", "timestamp", "encoding"}
and prints the Authorization header value. Try it:

    mypref-harness vectors check-cmd -- python3 auth_vectors/examples/signer.py
"""

import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import quote, quote_plus

case = json.load(sys.stdin)
scheme = case["scheme"].upper()  # scheme names are case-insensitive
digestmod = scheme.rsplit("-", 1)[1].lower()  # sha256 | sha384 | sha512
encode = quote_plus if case["encoding"] == "form" else quote
user = encode(case["userId"], safe="")
if "-HMAC-" in scheme:
    message = f"{case['clientId']}:{user}:{case['timestamp']}"
    digest = hmac.new(case["key"].encode(), message.encode(), digestmod).digest()
else:
    message = f"{case['key']}:{case['clientId']}:{user}:{case['timestamp']}:{case['key']}"
    digest = hashlib.new(digestmod, message.encode()).digest()
signature = base64.b64encode(digest).decode()
print(f"{scheme} Credential={user}/{case['timestamp']} Signature={signature}")
