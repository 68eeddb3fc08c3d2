#!/usr/bin/env python3
"""A deliberately WRONG signer, to show that check-cmd names the stage that differs.

python3 wrong_signer.py --bug swap        HMAC key and message swapped       -> stage "signature"
python3 wrong_signer.py --bug no-encode   UserId not URL-encoded              -> stage "message"
python3 wrong_signer.py --bug header      comma after the Credential          -> stage "header"
python3 wrong_signer.py --bug json-message  prints JSON with a message that
                                          lacks the ClientId                  -> stage "message"
python3 wrong_signer.py --bug signature-only  correct, prints the bare signature (no mismatch)
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import quote, quote_plus

parser = argparse.ArgumentParser()
parser.add_argument(
    "--bug", required=True, choices=["swap", "no-encode", "header", "json-message", "signature-only"]
)
bug = parser.parse_args().bug

case = json.load(sys.stdin)
scheme = case["scheme"].upper()
digestmod = scheme.rsplit("-", 1)[1].lower()
encode = quote_plus if case["encoding"] == "form" else quote
user = case["userId"] if bug == "no-encode" else encode(case["userId"], safe="")
keyed = "-HMAC-" in scheme
if keyed:
    message = f"{case['clientId']}:{user}:{case['timestamp']}"
else:
    message = f"{case['key']}:{case['clientId']}:{user}:{case['timestamp']}:{case['key']}"
if keyed and bug == "swap":
    digest = hmac.new(message.encode(), case["key"].encode(), digestmod).digest()
elif keyed:
    digest = hmac.new(case["key"].encode(), message.encode(), digestmod).digest()
else:
    digest = hashlib.new(digestmod, message.encode()).digest()
signature = base64.b64encode(digest).decode()
if bug == "signature-only":
    print(signature)
elif bug == "json-message":
    print(json.dumps({"message": message.split(":", 1)[1], "signature": signature}))
elif bug == "header":
    print(f"{scheme} Credential={user}/{case['timestamp']}, Signature={signature}")
else:
    print(f"{scheme} Credential={user}/{case['timestamp']} Signature={signature}")
