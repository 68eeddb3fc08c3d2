import xml.etree.ElementTree as ET

from mypref_harness.chart import Series, _nice_ceiling, line_chart_svg

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
