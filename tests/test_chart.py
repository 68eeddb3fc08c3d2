"""The latency chart: valid SVG, gaps instead of invented points, round ticks, SLO lines."""

import xml.etree.ElementTree as ET

from mypref_harness.chart import Series, Threshold, _nice_ceiling, line_chart_svg, segments, time_ticks

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_valid_svg_with_one_polyline_per_series():
    svg = line_chart_svg(
        "latency",
        [Series("p50", [(0, 10), (1, 12), (2, 11)], "#1f77b4"), Series("p95", [(0, 30), (2, 45)], "red")],
    )
    root = ET.fromstring(svg)
    polylines = root.findall(f"{SVG}polyline")
    assert len(polylines) == 2
    assert len(polylines[0].get("points", "").split()) == 3


def test_highest_point_touches_but_never_exceeds_the_axis():
    svg = line_chart_svg("t", [Series("p95", [(0, 0), (10, 100)], "red")])
    points = ET.fromstring(svg).find(f"{SVG}polyline").get("points").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert min(ys) >= 28  # the plot's top margin: nothing drawn above the frame


def test_empty_chart_says_no_data_and_titles_are_escaped():
    svg = line_chart_svg("a < b & c", [])
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "no data" in texts
    assert "a < b & c" in texts


def test_axis_ceiling_is_a_round_number_at_or_above_the_maximum():
    assert _nice_ceiling(0) == 1.0
    assert _nice_ceiling(7) == 10
    assert _nice_ceiling(101) == 200
    assert _nice_ceiling(0.3) == 0.5
    assert _nice_ceiling(40) == 50


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
