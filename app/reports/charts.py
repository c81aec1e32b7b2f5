"""Charts drawn on the server as SVG, so a phone receives a few kilobytes of markup and no
chart library.

Every chart is a pure function of its (already translated) texts and numbers. The viewBox is
360 units wide, a phone's width, so on a phone one unit is one CSS pixel and the text reads
at its natural size; CSS lets the SVG scale to its container (static/css/progress.css). Each
chart carries a <title> and <desc> for screen readers, writes every number as text next to its
bar, and escapes every label. Colours keep a contrast of at least 3:1 against white.
"""
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
FONT = 13
SMALL = 11
ROW = 46  # one bar: a text line and the bar under it, about a finger's height
BAR = 18
LEGEND_ROW = 22
SWATCH = 12
TEXT = "#1f2328"
MUTED = "#57606a"
TRACK = "#eaeef2"


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]  # one per series
    note: str  # the numbers, written at the right end of the label line
    href: str | None = None
    key: str = ""  # data-key: the area code, the check's code …


@dataclass(frozen=True)
class Point:
    label: str  # under the column (the day of the month)
    value: int
    sublabel: str = ""  # a second line under it (the month, where it changes)
    title: str = ""  # the full text of the column's tooltip


def text_width(text: str, size: int = FONT) -> float:
    """Roughly how wide a text is drawn: a Chinese character is a full em, others about 0.55."""
    return sum(size if ord(char) > 0x2E7F else size * 0.56 for char in text)


def fit(text: str, room: float, size: int = FONT) -> str:
    """The text, shortened with an ellipsis to fit in `room` units."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
            f'viewBox="0 0 {WIDTH} {height:g}" role="img" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
            f'font-family="sans-serif" font-size="{FONT}">',
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>']


def _legend(series: Sequence[Series], totals: Sequence[int] | None) -> tuple[list[str], float]:
    """Swatches with their labels (and totals), wrapped over as many lines as they need."""
    parts, x, y = ['<g class="legend">'], 0.0, 0.0
    for index, item in enumerate(series):
        text = item.label if totals is None else f"{item.label} {totals[index]}"
        width = SWATCH + 4 + text_width(text, SMALL) + 12
        if x and x + width > WIDTH:
            x, y = 0.0, y + LEGEND_ROW
        parts.append(f'<g class="legend-item" data-key="{escape(item.key)}">'
                     f'<rect x="{x:g}" y="{y + 3:g}" width="{SWATCH}" height="{SWATCH}" fill="{escape(item.colour)}"/>'
                     f'<text x="{x + SWATCH + 4:g}" y="{y + 14:g}" font-size="{SMALL}" fill="{TEXT}">{escape(text)}</text></g>')
        x += width
    parts.append("</g>")
    return parts, y + LEGEND_ROW + 6


def stacked_bars(chart_id: str, title: str, desc: str, series: Sequence[Series],
                 bars: Sequence[Bar], *, legend: bool = True) -> Markup:
    """One horizontal bar per row, its segments one per series, all bars on one scale (the
    longest row fills the width), the row's label above it and its numbers at the right."""
    legend_parts, top = _legend(series, [sum(bar.values[i] for bar in bars) for i in range(len(series))]) \
        if legend else ([], 0.0)
    height = top + max(len(bars), 1) * ROW
    parts = _open(chart_id, title, desc, height) + legend_parts
    largest = max((sum(bar.values) for bar in bars), default=0) or 1
    for index, bar in enumerate(bars):
        y = top + index * ROW
        note_width = text_width(bar.note)
        label = fit(bar.label, WIDTH - note_width - 8)
        group = [f'<g class="bar" data-key="{escape(bar.key)}">',
                 f'<title>{escape(bar.label)}: {escape(bar.note)}</title>',
                 # The whole row answers a tap, not only the inked parts of it.
                 f'<rect class="hit" x="0" y="{y:g}" width="{WIDTH}" height="{ROW}" fill="#fff" fill-opacity="0"/>',
                 f'<text class="label" x="0" y="{y + 14:g}" fill="{TEXT}">{escape(label)}</text>',
                 f'<text class="value" x="{WIDTH}" y="{y + 14:g}" text-anchor="end" fill="{TEXT}">{escape(bar.note)}</text>',
                 f'<rect x="0" y="{y + 20:g}" width="{WIDTH}" height="{BAR}" fill="{TRACK}"/>']
        x = 0.0
        for item, value in zip(series, bar.values):
            if value <= 0:
                continue
            width = WIDTH * value / largest
            group.append(f'<rect class="segment" data-key="{escape(item.key)}" data-value="{value}" '
                         f'x="{x:.1f}" y="{y + 20:g}" width="{width:.1f}" height="{BAR}" '
                         f'fill="{escape(item.colour)}" stroke="#fff" stroke-width="1">'
                         f'<title>{escape(item.label)}: {value}</title></rect>')
            x += width
        group.append("</g>")
        if bar.href:
            group = [f'<a href="{escape(bar.href)}">', *group, "</a>"]
        parts.extend(group)
    if not bars:
        parts.append(f'<text x="{WIDTH / 2:g}" y="{top + 26:g}" text-anchor="middle" fill="{MUTED}">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(chart_id: str, title: str, desc: str, colour: str, rows: Sequence[tuple[str, int, str]],
         *, label: str = "") -> Markup:
    """Single-value horizontal bars: (label, value, key) rows, the value written at the right."""
    return stacked_bars(chart_id, title, desc, [Series("value", label, colour)],
                        [Bar(text, (value,), str(value), key=key) for text, value, key in rows],
                        legend=False)


COLUMNS_HEIGHT = 200
AXIS_ROOM = 40  # under the baseline: the day, and the month where it changes
VALUE_ROOM = 18  # above the tallest column: its number


def columns(chart_id: str, title: str, desc: str, colour: str, points: Sequence[Point]) -> Markup:
    """Vertical columns, one per point, its value above it and its label under the baseline."""
    parts = _open(chart_id, title, desc, COLUMNS_HEIGHT)
    baseline = COLUMNS_HEIGHT - AXIS_ROOM
    room = baseline - VALUE_ROOM
    largest = max((point.value for point in points), default=0) or 1
    slot = WIDTH / max(len(points), 1)
    width = min(max(slot * 0.7, 2), 40)
    for index, point in enumerate(points):
        centre = slot * index + slot / 2
        height = room * point.value / largest
        tip = point.title or point.label
        parts.append(
            f'<g class="column" data-key="{escape(point.title or point.label)}" data-value="{point.value}">'
            f'<title>{escape(tip)}: {point.value}</title>'
            f'<rect x="{centre - width / 2:.1f}" y="{baseline - height:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}" fill="{escape(colour)}"/>'
            f'<text class="value" x="{centre:.1f}" y="{baseline - height - 4:.1f}" text-anchor="middle" '
            f'font-size="{SMALL}" fill="{TEXT}">{point.value}</text>'
            f'<text class="label" x="{centre:.1f}" y="{baseline + 16:g}" text-anchor="middle" '
            f'font-size="{SMALL}" fill="{MUTED}">{escape(point.label)}</text>'
            + (f'<text x="{centre:.1f}" y="{baseline + 32:g}" text-anchor="middle" font-size="{SMALL}" '
               f'fill="{MUTED}">{escape(point.sublabel)}</text>' if point.sublabel else "")
            + "</g>")
    parts.append(f'<line x1="0" y1="{baseline}" x2="{WIDTH}" y2="{baseline}" stroke="{MUTED}" stroke-width="1"/>')
    if not points:
        parts.append(f'<text x="{WIDTH / 2:g}" y="{baseline / 2:g}" text-anchor="middle" fill="{MUTED}">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
