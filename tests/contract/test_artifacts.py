"""The scrub and scan of every artifact of a run: no key, token or signature is left."""

from __future__ import annotations

from pathlib import Path

from mypref_harness.config import Target
from mypref_harness.contract.artifacts import scrub_directory, secret_scan
from mypref_harness.report import scan_for_secrets

KEY = "pnauth-key-that-must-not-leak-42"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJBQ01FX0NPUlAvSm9obi5Eb2UifQ.c2lnbmF0dXJlc2lnbmF0dXJl"


def test_scrub_removes_keys_tokens_and_signatures_then_the_scan_is_clean(tmp_path: Path):
    leaky = tmp_path / "out.txt"
    leaky.write_text(
        f"key={KEY}\nAuthorization: Bearer {JWT}\n"
        "PNAUTHINFO3-HMAC-SHA256 Credential=u/2026-01-01T00:00:00Z "
        "Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0=\n"
    )
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "r.json").write_text(f'{{"token": "{JWT}"}}')
    target = Target(base_url="http://127.0.0.1:1/Profiles/v4", client_id="C", user_id="u", api_key=KEY)
    assert scan_for_secrets([tmp_path], target.named_secrets())  # leaks before the scrub
    changed = scrub_directory(tmp_path, target.secrets())
    assert set(changed) == {leaky, tmp_path / "nested" / "r.json"}
    assert scan_for_secrets([tmp_path], target.named_secrets()) == []
    assert secret_scan(tmp_path, target) == []
    text = leaky.read_text()
    assert KEY not in text and JWT not in text and "Lbhe+fKo" not in text
