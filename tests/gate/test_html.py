"""reports/index.html: content, escaping, and a real headless browser."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.gate.model import GateOptions
from mypref_harness.gate.reports import write_error_reports

from .conftest import REPLAY


def test_index_html_has_the_verdict_every_stage_the_findings_with_replays_and_the_chart(gate_dir):
    html = (gate_dir / "index.html").read_text()
    assert '<h1 id="verdict">Release gate: <span class="verdict"' in html and ">FAIL</span>" in html
    for name in ("vectors", "contract", "auth", "load"):
        assert f'id="stage-{name}"' in html and f'href="#stage-{name}"' in html
    assert f"reproduce: <code>{REPLAY}</code>" in html
    assert "Server error &lt;500&gt;" in html  # text from a run is escaped
    assert html.count("<svg") == 1 and "SLO p95 lookup 400 ms" in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="https?:', html)  # self-contained: nothing fetched from elsewhere


def test_a_configuration_error_still_writes_an_index_html(tmp_path):
    write_error_reports(
        ConfigError("unknown variable MYPREF_BASEURL"), None, GateOptions(report_dir=tmp_path)
    )
    html = (tmp_path / "index.html").read_text()
    assert ">ERROR</span>" in html and "unknown variable MYPREF_BASEURL" in html


# ------------------------------------------------------------------------------ a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium(args, profile_dir):
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_index_html_renders_in_headless_chromium_with_the_verdict_and_each_stage(gate_dir, tmp_path):
    url = (gate_dir / "index.html").resolve().as_uri()
    dom = chromium(["--dump-dom", url], tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Release gate: " in dom.stdout and ">FAIL</span>" in dom.stdout
    for name in ("vectors", "contract", "auth", "load"):
        assert f'id="stage-{name}"' in dom.stdout
    assert "<svg" in dom.stdout  # the chart is part of the rendered document
    shot = tmp_path / "shot.png"
    rendered = chromium([f"--screenshot={shot}", "--window-size=1000,1400", url], tmp_path / "profile-shot")
    assert rendered.returncode == 0 and shot.is_file(), rendered.stderr[-2000:]
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1000, 1400)
