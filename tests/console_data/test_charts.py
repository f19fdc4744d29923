"""The SVG charts: well-formed, accessible, bars proportional to the numbers, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from runtime.serve.console.data.charts import (
    MAX_X_LABELS,
    Bar,
    bar_list_chart,
    column_chart,
    format_number,
    grouped_column_chart,
    nice_ceiling,
    share_meter,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def bars_of(svg: ET.Element) -> list[ET.Element]:
    """The data bars: rects that carry a tooltip title (legend swatches and tracks do not)."""
    return [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


@pytest.mark.parametrize(("value", "ceiling"), [
    (0, 1.0), (1, 1.0), (7, 10.0), (11, 20.0), (20, 20.0), (21, 25.0), (240, 250.0),
    (0.3, 0.5), (999, 1000.0), (float("nan"), 1.0),
])
def test_axis_maximum_is_the_next_round_number(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_numbers_are_short_and_grouped():
    assert [format_number(v) for v in (1234, 0.5, 12.345, 3.0)] == ["1,234", "0.5", "12.3", "3"]


def test_column_chart_has_an_accessible_name_and_proportional_bars():
    svg = parse(column_chart("calls", "Calls per day", [Bar("03-01", 10), Bar("03-02", 5),
                                                        Bar("03-03", 0)]))
    assert svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    assert [svg.find(f"{SVG}title").get("id"), svg.find(f"{SVG}desc").get("id")] == ids
    assert svg.find(f"{SVG}title").text == "Calls per day"
    heights = [float(r.get("height")) for r in bars_of(svg)]
    assert heights[0] == pytest.approx(2 * heights[1]) and heights[2] == 0
    assert bars_of(svg)[1].find(f"{SVG}title").text == "03-02: 5"


def test_a_long_range_thins_its_day_labels():
    days = [Bar(f"d{n}", n) for n in range(90)]
    labels = [t.text for t in parse(column_chart("c", "t", days)).iter(f"{SVG}text")
              if t.text and t.text.startswith("d")]
    assert labels[0] == "d0" and len(labels) <= MAX_X_LABELS


def test_labels_are_escaped_not_markup():
    svg = parse(bar_list_chart("o", "Outcomes <b>", [Bar("<script>alert(1)</script>", 3)]))
    assert svg.find(f"{SVG}script") is None
    assert "<script>alert(1)</script>" in [t.text for t in svg.iter(f"{SVG}text")]
    assert svg.find(f"{SVG}title").text == "Outcomes <b>"


def test_bar_list_scales_to_the_largest_value_and_prints_each():
    svg = parse(bar_list_chart("o", "Outcomes", [Bar("booked", 4), Bar("abandoned", 1)]))
    widths = [float(r.get("width")) for r in bars_of(svg)]
    assert widths[0] == pytest.approx(4 * widths[1])
    assert {"4", "1"} <= {t.text for t in svg.iter(f"{SVG}text")}


def test_empty_charts_draw_without_dividing_by_zero():
    for markup in (column_chart("a", "t", []), bar_list_chart("b", "t", []),
                   grouped_column_chart("c", "t", [], {})):
        assert bars_of(parse(markup)) == []


def test_share_meter_prints_the_percentage_and_clamps():
    half = parse(share_meter("m", "Containment", 0.4567))
    assert "45.7%" in [t.text for t in half.iter(f"{SVG}text")]
    fill = [r for r in parse(share_meter("m", "t", 1.7)).iter(f"{SVG}rect")]
    assert float(fill[1].get("width")) == float(fill[0].get("width"))


def test_grouped_columns_one_bar_per_group_and_series_with_a_legend():
    svg = parse(grouped_column_chart("l", "Latency", ["total", "match"],
                                     {"p50": [100, 2], "p99": [400, 8]}, unit=" ms"))
    titles = [r.find(f"{SVG}title").text for r in bars_of(svg)]
    assert titles == ["total p50: 100 ms", "match p50: 2 ms", "total p99: 400 ms",
                      "match p99: 8 ms"]
    assert {"p50", "p99"} <= {t.text for t in svg.iter(f"{SVG}text")}
