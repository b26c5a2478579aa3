"""Charts of measured figures as plain SVG (no script, no inline style, no external resource), as the CSP wants.

Every chart takes plain data (labels and numbers), draws with presentation attributes only, and says what it
shows in `<title>` and `aria-label`, so a screen reader and a printed page get the same figures as the eye.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

# One colour per series, keyed by meaning (the same as the drawings': before is grey-blue, after green).
SERIES_COLOURS = {"before": "#7a8ca5", "after": "#2e8b57", "waiting": "#d9a441", "working": "#4a78c2",
                  "cases": "#4a78c2", "on time": "#2e8b57"}
FALLBACK = ("#4a78c2", "#d9a441", "#2e8b57", "#b5485d", "#7a8ca5")
FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"


def colour(name: str, index: int) -> str:
    """The colour of a series: by meaning when known, else by position."""
    return SERIES_COLOURS.get(name, FALLBACK[index % len(FALLBACK)])


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'class="chart" aria-label={quoteattr(title)} font-family={quoteattr(FONT)} font-size="12">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="#333"{extra}>'
            f"{escape(text)}</text>")


def _legend(names: Sequence[str], labels: Mapping[str, str], x: float, y: float) -> list[str]:
    parts = []
    for i, name in enumerate(names):
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour(name, i)}"/>')
        parts.append(_text(x + 16, y, labels.get(name, name)))
        x += 24 + 8 * max(len(labels.get(name, name)), 4)
    return parts


def grouped_columns(categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str,
                    labels: Mapping[str, str] | None = None, unit: str = "") -> str:
    """Vertical columns per category, one per series side by side (e.g. working days, before vs after)."""
    labels = labels or {}
    width, height, left, bottom, top = max(320, 60 + 48 * len(categories) * max(1, len(series))), 260, 44, 40, 34
    plot_h = height - bottom - top
    peak = max((v for values in series.values() for v in values), default=0) or 1
    slot = (width - left - 10) / max(1, len(categories))
    bar = max(4.0, (slot - 8) / max(1, len(series)))
    body = _legend(list(series), labels, left, 16)
    body.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 6}" y2="{height - bottom}" stroke="#999"/>')
    for i, category in enumerate(categories):
        x0 = left + i * slot + 4
        for j, (name, values) in enumerate(series.items()):
            value = values[i] if i < len(values) else 0
            h = plot_h * value / peak
            x, y = x0 + j * bar, height - bottom - h
            shown = f"{labels.get(name, name)} · {category}: {_number(value)}{unit}"
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                        f'fill="{colour(name, j)}"><title>{escape(shown)}</title></rect>')
            if value:
                body.append(_text(x + (bar - 1) / 2, y - 3, _number(value), "middle", 10))
        body.append(_text(x0 + (slot - 8) / 2, height - bottom + 16, category, "middle", 11))
    return _svg(int(width), height, title, body)


def horizontal_bars(rows: Sequence[str], series: Mapping[str, Sequence[float]], title: str,
                    labels: Mapping[str, str] | None = None, unit: str = "", stacked: bool = True) -> str:
    """One horizontal bar per row, its series stacked (e.g. each step's waiting and working hours)."""
    labels = labels or {}
    name_w = min(260, 20 + 13 * max((len(r) for r in rows), default=4))
    width, row_h, top = 720, 24, 30
    height = top + row_h * len(rows) + 10
    totals = [sum(values[i] for values in series.values()) if stacked else
              max((values[i] for values in series.values()), default=0) for i in range(len(rows))]
    peak = max(totals, default=0) or 1
    scale = (width - name_w - 70) / peak
    body = _legend(list(series), labels, name_w, 16)
    for i, row in enumerate(rows):
        y = top + i * row_h
        body.append(_text(name_w - 8, y + 15, row, "end"))
        x = float(name_w)
        for j, (name, values) in enumerate(series.items()):
            value = values[i]
            w = value * scale
            shown = f"{row} · {labels.get(name, name)}: {_number(value)}{unit}"
            body.append(f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 8}" '
                        f'fill="{colour(name, j)}"><title>{escape(shown)}</title></rect>')
            if stacked:
                x += w
        body.append(_text(x + 6 if stacked else name_w + totals[i] * scale + 6, y + 15,
                          f"{_number(totals[i])}{unit}", size=11))
    return _svg(width, height, title, body)


def share_bars(shares: Mapping[str, float | None], title: str, labels: Mapping[str, str] | None = None) -> str:
    """A 0-100 % bar per series (e.g. the on-time rate before vs after); None is drawn as 'no data'."""
    labels = labels or {}
    width, row_h, left = 520, 30, 110
    height = 14 + row_h * len(shares)
    body: list[str] = []
    for i, (name, share) in enumerate(shares.items()):
        y = 8 + i * row_h
        body.append(_text(left - 8, y + 16, labels.get(name, name), "end"))
        body.append(f'<rect x="{left}" y="{y + 2}" width="{width - left - 60}" height="{row_h - 10}" fill="#eee"/>')
        if share is None:
            body.append(_text(left + 6, y + 16, "—", size=11))
            continue
        w = (width - left - 60) * max(0.0, min(1.0, share))
        body.append(f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row_h - 10}" fill="{colour(name, i)}">'
                    f"<title>{escape(f'{labels.get(name, name)}: {share * 100:.1f} %')}</title></rect>")
        body.append(_text(width - 54, y + 16, f"{share * 100:.1f} %", size=11))
    return _svg(width, height, title, body)
