"""Charts as inline SVG, drawn on the server: no script, no CDN, nothing to download.

Each function takes plain numbers and returns one `<svg>` element (as `Markup`, ready
for a Jinja template) that scales to its container through its `viewBox`. Every chart is
an image with an accessible name and description; the page puts the same numbers in a
table beside it for screen readers and for anyone who wants the exact values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours with at least 3:1 contrast on white (WCAG 1.4.11, graphical objects).
PALETTE = ("#1d4ed8", "#047857", "#b45309", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f",
           "#a21caf", "#475569", "#9a3412", "#1e3a8a")
INK = "#1f2937"
GRID = "#d1d5db"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'
WIDTH = 640
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `value` (an axis maximum); 1 for 0."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9 * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def format_number(value: float) -> str:
    """1234 → '1,234'; 0.5 → '0.5'; 12.345 → '12.3' (short labels for axes and bars)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}".rstrip("0").rstrip(".")


def column_chart(chart_id: str, title: str, bars: Sequence[Bar], *, unit: str = "",
                 height: int = 240) -> Markup:
    """Vertical bars over a sequence (calls per day); x labels thinned so they never collide."""
    left, right, top, bottom = 48, 12, 12, 36
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = nice_ceiling(max((b.value for b in bars), default=0))
    parts = _y_grid(left, top, plot_w, plot_h, top_value)
    slot = plot_w / max(len(bars), 1)
    every = max(1, math.ceil(len(bars) / MAX_X_LABELS))
    for n, bar in enumerate(bars):
        bar_h = plot_h * bar.value / top_value
        x = left + n * slot + slot * 0.1
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot * 0.8:.1f}" '
            f'height="{bar_h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(bar.label)}: {format_number(bar.value)}{escape(unit)}</title></rect>"
        )
        if n % every == 0:
            parts.append(
                f'<text x="{left + (n + 0.5) * slot:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" fill="{INK}">{escape(bar.label)}</text>'
            )
    summary = f"{len(bars)} bars, highest {format_number(max((b.value for b in bars), default=0))}"
    return _svg(chart_id, title, summary, height, parts)


def bar_list_chart(chart_id: str, title: str, bars: Sequence[Bar], *, unit: str = "") -> Markup:
    """Horizontal labelled bars, one per category (outcomes, answer tiers), value at the end."""
    label_w, value_w, row_h = 150, 70, 26
    height = max(row_h * len(bars), row_h) + 8
    plot_w = WIDTH - label_w - value_w
    top_value = max((b.value for b in bars), default=0) or 1
    parts = []
    for n, bar in enumerate(bars):
        y = 4 + n * row_h
        bar_w = plot_w * bar.value / top_value
        value = f"{format_number(bar.value)}{escape(unit)}"
        parts += [
            f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(bar.label)}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 8}" '
            f'fill="{PALETTE[n % len(PALETTE)]}">'
            f"<title>{escape(bar.label)}: {value}</title></rect>",
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + row_h / 2 + 4:.1f}" '
            f'fill="{INK}">{value}</text>',
        ]
    total = sum(b.value for b in bars)
    return _svg(chart_id, title, f"{len(bars)} categories, {format_number(total)} in all",
                height, parts)


def share_meter(chart_id: str, title: str, fraction: float) -> Markup:
    """One share of a whole as a filled track with its percentage (containment rate)."""
    fraction = min(max(fraction, 0.0), 1.0)
    height, track_w = 56, WIDTH - 100
    percent = f"{fraction * 100:.1f}%"
    parts = [
        f'<rect x="0" y="12" width="{track_w}" height="28" rx="4" fill="{GRID}"/>',
        f'<rect x="0" y="12" width="{track_w * fraction:.1f}" height="28" rx="4" '
        f'fill="{PALETTE[1]}"/>',
        f'<text x="{track_w + 12}" y="32" font-size="18" fill="{INK}">{percent}</text>',
    ]
    return _svg(chart_id, title, percent, height, parts)


def grouped_column_chart(chart_id: str, title: str, groups: Sequence[str],
                         series: Mapping[str, Sequence[float]], *, unit: str = "",
                         height: int = 260) -> Markup:
    """Side-by-side bars per group (latency p50/p90/p99 per stage), with a legend."""
    left, right, top, bottom = 56, 12, 28, 36
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = nice_ceiling(max((v for values in series.values() for v in values), default=0))
    parts = _y_grid(left, top, plot_w, plot_h, top_value)
    slot = plot_w / max(len(groups), 1)
    width = slot * 0.8 / max(len(series), 1)
    for s, (name, values) in enumerate(series.items()):
        colour = PALETTE[s % len(PALETTE)]
        parts += [f'<rect x="{left + s * 90}" y="6" width="12" height="12" fill="{colour}"/>',
                  f'<text x="{left + s * 90 + 16}" y="16" fill="{INK}">{escape(name)}</text>']
        for g, value in enumerate(values):
            bar_h = plot_h * value / top_value
            x = left + g * slot + slot * 0.1 + s * width
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{width:.1f}" '
                f'height="{bar_h:.1f}" fill="{colour}"><title>{escape(groups[g])} '
                f"{escape(name)}: {format_number(value)}{escape(unit)}</title></rect>"
            )
    for g, group in enumerate(groups):
        parts.append(f'<text x="{left + (g + 0.5) * slot:.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle" fill="{INK}">{escape(group)}</text>')
    summary = f"{len(groups)} groups of {len(series)} bars ({', '.join(series)})"
    return _svg(chart_id, title, summary, height, parts)


def _y_grid(left: int, top: int, plot_w: int, plot_h: int, top_value: float) -> list[str]:
    """Four gridlines with their values, and the baseline."""
    parts = []
    for step in range(5):
        value = top_value * step / 4
        y = top + plot_h - plot_h * step / 4
        parts += [
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{INK if step == 0 else GRID}"/>',
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{format_number(value)}</text>",
        ]
    return parts


def _svg(chart_id: str, title: str, description: str, height: int, parts: list[str]) -> Markup:
    cid = escape(chart_id)
    return Markup(
        f'<svg class="chart" id="{cid}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )
