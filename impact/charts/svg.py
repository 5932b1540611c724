"""Charts drawn on the server as SVG: they print, need no script and weigh a few kilobytes.

Each is a picture of a table the page also shows, so the picture carries its title for those who
cannot see it and nothing is only in the picture.
"""
from __future__ import annotations

from markupsafe import Markup, escape

BAR_FILL = "#1d5a8e"
WIDTH, ROW, LABEL_WIDTH = 520, 26, 170


def _svg(title: str, height: int, body: list[str]) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
                  f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>'
                  + "".join(body) + "</svg>")


def _label(y: int, name: str) -> str:
    shown = name if len(name) <= 26 else name[:25] + "…"
    return f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" font-size="12">{escape(shown)}</text>'


def bar_chart(title: str, bars: list[tuple[str, int]]) -> Markup:
    """A horizontal bar per (name, value)."""
    largest = max((value for _, value in bars), default=0) or 1
    body = []
    for index, (name, value) in enumerate(bars):
        y = index * ROW + 5
        length = (WIDTH - LABEL_WIDTH - 50) * value / largest
        body.append(f'{_label(y, name)}<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW - 8}" '
                    f'fill="{BAR_FILL}"/><text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 16}" font-size="12">'
                    f'{value}</text>')
    return _svg(title, ROW * len(bars) + 10, body)


def stacked_bar_chart(title: str, parts: list[tuple[str, str]], bars: list[tuple[str, list[int]]]) -> Markup:
    """One bar per (name, counts), split into ``parts`` ((label, fill) in the counts' order), with a legend.

    Every bar has the same length (the shares of its whole), so levels of different sizes compare."""
    body, x = [], LABEL_WIDTH
    for label, fill in parts:  # the legend, on one line above the bars
        body.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{fill}" stroke="#374151" stroke-width="0.5"/>'
                    f'<text x="{x + 16}" y="14" font-size="11">{escape(label)}</text>')
        x += 28 + 7 * len(label)
    top = 22
    span = WIDTH - LABEL_WIDTH - 40
    for index, (name, counts) in enumerate(bars):
        y = top + index * ROW
        total = sum(counts)
        body.append(_label(y, name))
        start = float(LABEL_WIDTH)
        for (label, fill), count in zip(parts, counts, strict=True):
            if not count:
                continue
            length = span * count / total
            body.append(f'<rect x="{start:.1f}" y="{y + 3}" width="{length:.1f}" height="{ROW - 8}" fill="{fill}" '
                        f'stroke="#ffffff" stroke-width="1"><title>{escape(name)}: {count} {escape(label)}</title>'
                        '</rect>')
            start += length
        body.append(f'<text x="{LABEL_WIDTH + span + 6}" y="{y + 16}" font-size="12">{total}</text>')
    return _svg(title, top + ROW * len(bars) + 6, body)
