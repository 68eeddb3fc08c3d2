"""reports/index.html and the latency chart: content, escaping, and a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET

import pytest

from mypref_harness import gate_stages, report
from mypref_harness.chart import Series, Threshold, line_chart_svg, segments, time_ticks
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.gate import GateOptions, StageResult, run_gate, write_error_reports

SVG = "{http://www.w3.org/2000/svg}"
REPLAY = "mypref-harness replay reports/contract/cases/0cXSDM.json"


def _stage(name, outcome="pass", code=0, **extra):
    def runner(target, options):
        cases = [report.JUnitCase(name=f"{name}-case", classname=name)]
        return StageResult(
            name, outcome, code, figures={"failures": 0}, detail=f"{name} done", junit_cases=cases, **extra
        )

    return runner


@pytest.fixture
def gate_dir(tmp_path, monkeypatch):
    timeline = [{"t": 0.0, "p50": None, "p95": None}] + [
        {"t": float(t), "p50": 10.0 + t, "p95": 40.0 + 2 * t} for t in range(1, 8)
    ]
    findings = [
        {
            "subject": "POST /{clientId}/Profile",
            "check": "not_a_server_error",
            "status": "failed",
            "evidence": "Server error <500>",
            "replay": REPLAY,
        }
    ]
    runners = {
        "vectors": _stage("vectors"),
        "contract": _stage(
            "contract", "fail", 1, findings=findings, route_counts={"high": {"confirmed": 3, "not_found": 1}}
        ),
        "auth": _stage("auth", by_basis={"documented": {"failed": 0, "warned": 1}}),
        "load": _stage(
            "load", timeline=timeline, thresholds={"SLO p95 lookup": 400.0, "SLO p50 lookup": 150.0}
        ),
    }
    monkeypatch.setattr(gate_stages, "RUNNERS", runners)
    target = Target(
        base_url="http://127.0.0.1:9/Profiles/v4",
        client_id="ACME_CORP",
        user_id="John.Doe",
        api_key="html-test-api-key-0123456789",
    )
    run_gate(target, GateOptions(report_dir=tmp_path / "reports"), progress=lambda _: None)
    return tmp_path / "reports"


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


def test_summary_md_is_self_contained_and_lists_each_finding_with_its_replay(gate_dir):
    md = (gate_dir / "summary.md").read_text()
    assert "![" not in md and "<svg" not in md
    assert "[latency.svg](latency.svg)" in md
    assert f"reproduce: `{REPLAY}`" in md
    summary = json.loads((gate_dir / "summary.json").read_text())
    assert summary["stages"][1]["findings"][0]["replay"] == REPLAY


def test_a_configuration_error_still_writes_an_index_html(tmp_path):
    write_error_reports(
        ConfigError("unknown variable MYPREF_BASEURL"), None, GateOptions(report_dir=tmp_path)
    )
    html = (tmp_path / "index.html").read_text()
    assert ">ERROR</span>" in html and "unknown variable MYPREF_BASEURL" in html


# ------------------------------------------------------------------------------ the chart


def test_a_second_without_a_value_is_a_gap_not_an_invented_point():
    assert segments([(0, None), (1, 5.0), (2, 6.0), (3, None), (4, 7.0)]) == [
        [(1, 5.0), (2, 6.0)],
        [(4, 7.0)],
    ]
    svg = ET.fromstring(
        line_chart_svg("t", [Series("p95", [(0, None), (1, 5.0), (2, 6.0), (3, None), (4, 7.0)], "red")])
    )
    assert len(svg.findall(f"{SVG}polyline")) == 2
    assert len(svg.findall(f"{SVG}circle")) == 3  # one dot per measured second, none at t=0 or t=3


def test_the_time_axis_has_round_labelled_ticks_from_zero():
    assert time_ticks(20) == [0, 5, 10, 15, 20]
    assert time_ticks(7) == [0, 2, 4, 6]
    svg = ET.fromstring(line_chart_svg("t", [Series("p95", [(0, 1.0), (20, 2.0)], "red")]))
    ticks = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "tick"]
    assert len(ticks) == 5
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"0", "5", "10", "15", "20", "seconds since start"} <= set(labels)


def test_a_threshold_far_above_every_measurement_is_named_not_drawn():
    svg = ET.fromstring(
        line_chart_svg(
            "t",
            [Series("p95", [(0, 8.0), (1, 9.0)], "red")],
            thresholds=[Threshold("SLO p95 400 ms", 400.0), Threshold("SLO p50 20 ms", 20.0)],
        )
    )
    drawn = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "threshold"]
    assert len(drawn) == 1  # the 20 ms limit; the axis stays near the data
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "off-scale"] == [
        "above the chart:",
        "SLO p95 400 ms",
    ]


def test_thresholds_are_dashed_lines_inside_the_plot_and_raise_the_axis():
    svg = ET.fromstring(
        line_chart_svg(
            "t",
            [Series("p95", [(0, 150.0), (1, 160.0)], "red")],
            thresholds=[Threshold("SLO p95 400 ms", 400.0)],
        )
    )
    lines = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "threshold"]
    assert len(lines) == 1 and lines[0].get("stroke-dasharray")
    y = float(lines[0].get("y1"))
    assert 28 <= y < 300 - 44  # inside the plot: the y axis grew to show the limit
    assert "SLO p95 400 ms" in [t.text for t in svg.iter(f"{SVG}text")]


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


def test_gate_schemathesis_html_asks_the_contract_run_for_schemathesis_html_report(monkeypatch, tmp_path):
    from mypref_harness.contract import runner
    from mypref_harness.contract.results import ContractResult

    seen = {}

    def fake_run_contract(target, options):
        seen["html"] = options.html
        return ContractResult(target="t")

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    target = Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="C", user_id="U", api_key="k" * 20)
    gate_stages.run_contract_stage(target, GateOptions(report_dir=tmp_path, schemathesis_html=True))
    assert seen == {"html": True}
