"""Server-side SVG rendering of a theory-of-change results chain.

The output is plain SVG that uses presentation attributes only: it shows
without JavaScript and passes a Content-Security-Policy that forbids inline
styles (no ``style=""`` and no ``<style>``), scripts and external resources.
"""
from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class DiagramLevel:
    id: int
    name: str


@dataclass(frozen=True)
class DiagramStep:
    id: int
    level_id: int
    title: str
    href: str | None = None
    progress: str | None = None
    confidence: str | None = None
    flag: str | None = None  # a warning drawn as a badge on the box and spelt out in its tooltip


@dataclass(frozen=True)
class DiagramLink:
    source_id: int
    target_id: int


# Geometry in user units (equal to CSS px when shown at natural size).
BOX_W = 170
BOX_H = 66            # room for 3 lines of 13px text plus padding
H_GAP = 40            # between boxes; leaves a corridor for skip links
BAND_PAD = 30         # above/below the boxes; arrows bend within this space
BAND_H = BOX_H + 2 * BAND_PAD
LABEL_W = 150         # left column holding the level names
SIDE = 40             # outer margin, so every band has a free corridor at each side
MIN_W = 900           # below this the viewBox would shrink text on wide screens
CLEAR = 10            # how close a routed link may pass to a box it must avoid
LANE = 6              # spacing between links sharing a corridor or gap

FONT_FAMILY = "system-ui, sans-serif"
FONT_SIZE = 13
LINE_H = 16
MAX_LINES = 3
CHARS_PER_LINE = 21   # no font metrics server-side: ~0.5em per glyph over ~150px
LABEL_CHARS = 17
TEXT_COLOUR = "#1a1a1a"  # >= 4.5:1 against every fill below
BAND_FILLS = ("#f7f8fa", "#e9eef4")
BOX_STROKE = "#374151"
LINK_COLOUR = "#4b5563"
PROGRESS_FILLS = {
    "none": "#f3f4f6",
    "low": "#fde2e1",
    "some": "#fff1c2",
    "good": "#d9f2df",
    "unknown": "#ffffff",
}
# confidence -> (stroke-width, stroke-dasharray or None)
CONFIDENCE_STROKES = {"low": ("1.5", "5 3"), "medium": ("2", None), "high": ("3.5", None)}
DEFAULT_STROKE = ("1", None)

# XML 1.0 forbids these; one stray control character would break the whole page.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class _Box:
    step: DiagramStep
    band: int
    x: float
    y: float

    @property
    def cx(self) -> float:
        return self.x + BOX_W / 2


def _n(value: float) -> str:
    """Format a coordinate compactly and deterministically."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _token(value: str) -> str:
    """Reduce a free-form status to something safe inside a class name."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "unknown"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = lines[: max_lines - 1] + [last[: width - 1].rstrip() + "\u2026"]
    return lines


def _text_lines(lines: list[str], x: float, mid_y: float, anchor: str, weight: str = "normal") -> str:
    # Baselines sit ~0.35em below the line centre so the block looks centred.
    first = mid_y - (len(lines) - 1) * LINE_H / 2 + FONT_SIZE * 0.35
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(first + i * LINE_H)}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    # The size and colour come from the <svg> itself (inherited): written on every text they were a
    # tenth of a large chain's bytes.
    weighted = "" if weight == "normal" else f' font-weight="{weight}"'
    return f'<text text-anchor="{anchor}"{weighted}>{spans}</text>'



def _layout(levels: list[DiagramLevel], steps: list[DiagramStep]) -> tuple[dict[int, _Box], list[list[float]], float]:
    band_of: dict[int, int] = {}
    for i, level in enumerate(levels):
        band_of.setdefault(level.id, i)
    rows: list[list[DiagramStep]] = [[] for _ in levels]
    seen: set[int] = set()
    for step in steps:
        # Steps in unknown levels and duplicate ids are dropped rather than guessed at.
        if step.level_id in band_of and step.id not in seen:
            seen.add(step.id)
            rows[band_of[step.level_id]].append(step)
    busiest = max((len(row) for row in rows), default=0)
    width = max(MIN_W, LABEL_W + 2 * SIDE + busiest * BOX_W + max(busiest - 1, 0) * H_GAP)
    centre = LABEL_W + (width - LABEL_W) / 2
    boxes: dict[int, _Box] = {}
    row_xs: list[list[float]] = []
    for band, row in enumerate(rows):
        row_w = len(row) * BOX_W + max(len(row) - 1, 0) * H_GAP
        xs = [centre - row_w / 2 + k * (BOX_W + H_GAP) for k in range(len(row))]
        row_xs.append(xs)
        for step, x in zip(row, xs, strict=True):
            boxes[step.id] = _Box(step, band, x, band * BAND_H + BAND_PAD)
    return boxes, row_xs, width


def _corridor(ideal: float, bands: range, row_xs: list[list[float]], width: float, used: dict[int, int]) -> float:
    """Pick an x for a vertical run that misses every box in ``bands``."""
    blocked = sorted((x - CLEAR, x + BOX_W + CLEAR) for b in bands for x in row_xs[b])
    free, lo = [], LABEL_W + 8.0
    for start, end in blocked:
        if start > lo:
            free.append((lo, start))
        lo = max(lo, end)
    free.append((lo, width - 8.0))
    lo, hi = min(free, key=lambda iv: (abs(min(max(ideal, iv[0]), iv[1]) - ideal), iv[0]))
    x = min(max(ideal, lo), hi)
    # Fan out links that would otherwise be drawn on top of each other.
    count = used.get(round(x), 0)
    used[round(x)] = count + 1
    offset = ((count + 1) // 2) * LANE * (1 if count % 2 else -1)
    return min(max(x + offset, lo), hi)


def _rounded(points: list[tuple[float, float]], radius: float = 12) -> str:
    """Orthogonal polyline whose corners are cubic Bézier curves."""
    pts: list[tuple[float, float]] = []
    for p in points:
        if pts and math.dist(pts[-1], p) < 0.01:
            continue
        if len(pts) >= 2:
            (ax, ay), (bx, by) = pts[-2], pts[-1]
            if abs((bx - ax) * (p[1] - by) - (by - ay) * (p[0] - bx)) < 0.01:
                pts.pop()  # collinear: the middle point adds nothing
        pts.append(p)
    parts = [f"M{_n(pts[0][0])},{_n(pts[0][1])}"]
    for a, p, b in zip(pts, pts[1:], pts[2:], strict=False):
        r = min(radius, math.dist(a, p) / 2, math.dist(p, b) / 2)
        d1, d2 = math.dist(a, p), math.dist(p, b)
        p1 = (p[0] - r * (p[0] - a[0]) / d1, p[1] - r * (p[1] - a[1]) / d1)
        p2 = (p[0] + r * (b[0] - p[0]) / d2, p[1] + r * (b[1] - p[1]) / d2)
        corner = f"{_n(p[0])},{_n(p[1])}"
        parts.append(f"L{_n(p1[0])},{_n(p1[1])} C{corner} {corner} {_n(p2[0])},{_n(p2[1])}")
    parts.append(f"L{_n(pts[-1][0])},{_n(pts[-1][1])}")
    return " ".join(parts)


def _link_path(src: _Box, tgt: _Box, sx: float, tx: float, row_xs, width, used, lane: int) -> tuple[str, str]:
    sy, ty = src.y + BOX_H, tgt.y - 1  # stop 1px short so thick borders don't hide the tip
    if tgt.band == src.band + 1:
        mid = (sy + ty) / 2
        return "link", f"M{_n(sx)},{_n(sy)} C{_n(sx)},{_n(mid)} {_n(tx)},{_n(mid)} {_n(tx)},{_n(ty)}"
    if tgt.band > src.band:
        # Skip: bend into a corridor that is clear of the intermediate bands' boxes.
        cx = _corridor((sx + tx) / 2, range(src.band + 1, tgt.band), row_xs, width, used)
        y1, y2 = sy + 2 * BAND_PAD, ty - 2 * BAND_PAD
        return "link link-skip", (
            f"M{_n(sx)},{_n(sy)} C{_n(sx)},{_n(sy + BAND_PAD)} {_n(cx)},{_n(sy + BAND_PAD)} {_n(cx)},{_n(y1)}"
            f" L{_n(cx)},{_n(y2)} C{_n(cx)},{_n(ty - BAND_PAD)} {_n(tx)},{_n(ty - BAND_PAD)} {_n(tx)},{_n(ty)}"
        )
    # Upward or sideways: leave downwards, loop round the boxes, enter from above,
    # so the arrowhead always lands on the target's top edge.
    cx = _corridor((sx + tx) / 2, range(tgt.band, src.band + 1), row_xs, width, used)
    drop = BAND_PAD * 0.6 + (lane % 3) * LANE
    yb, ya = sy + drop, ty - drop
    return "link link-back", _rounded([(sx, sy), (sx, yb), (cx, yb), (cx, ya), (tx, ya), (tx, ty)])


def _step_svg(box: _Box) -> str:
    step = box.step
    classes, data = ["step"], f' data-step-id="{step.id}"'
    status = []
    if step.progress is not None:
        classes.append(f"progress-{_token(step.progress)}")
        data += f' data-progress="{escape(_clean(step.progress))}"'
        status.append(f"progress: {_clean(step.progress)}")
    if step.confidence is not None:
        classes.append(f"confidence-{_token(step.confidence)}")
        data += f' data-confidence="{escape(_clean(step.confidence))}"'
        status.append(f"confidence: {_clean(step.confidence)}")
    fill = PROGRESS_FILLS.get(_token(step.progress or "unknown"), PROGRESS_FILLS["unknown"])
    stroke_w, dash = CONFIDENCE_STROKES.get(_token(step.confidence or ""), DEFAULT_STROKE)
    badge = ""
    if step.flag:
        classes.append("flagged")
        status.append(_clean(step.flag))
        bx, by = box.x + BOX_W - 4, box.y + 4
        badge = (f'<circle class="flag" cx="{_n(bx)}" cy="{_n(by)}" r="9" fill="#b91c1c"/>'
                 f'<text x="{_n(bx)}" y="{_n(by + 4)}" text-anchor="middle" fill="#ffffff" font-weight="bold">!</text>')
    title = _clean(step.title).strip()
    # Colour alone must not carry the status, so the tooltip spells it out.
    tooltip = title + (f" ({'; '.join(status)})" if status else "")
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    group = (
        f'<g class="{" ".join(classes)}"{data}><title>{escape(tooltip)}</title>'
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{BOX_W}" height="{BOX_H}" rx="8" ry="8"'
        f' fill="{fill}" stroke="{BOX_STROKE}" stroke-width="{stroke_w}"{dash_attr}/>'
        f"{_text_lines(_wrap(title, CHARS_PER_LINE, MAX_LINES), box.cx, box.y + BOX_H / 2, 'middle')}{badge}</g>"
    )
    href = _safe_href(step)
    if href is None:
        return group
    return f'<a href="{escape(href)}" aria-label="{escape(tooltip)}">{group}</a>'


def _safe_href(step: DiagramStep) -> str | None:
    href = _clean(step.href or "").strip()
    return None if not href or _UNSAFE_SCHEME.match(href) else href


def render_chain_svg(
    levels: list[DiagramLevel],
    steps: list[DiagramStep],
    links: list[DiagramLink],
    *,
    title: str = "Results chain",
    svg_id: str = "chain",
) -> Markup:
    """Render the results chain as a standalone, CSP-safe SVG string."""
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", svg_id) or "chain"
    if not prefix[0].isalpha():
        prefix = "d" + prefix  # ids must not start with a digit or hyphen
    boxes, row_xs, width = _layout(levels, steps)
    height = max(len(levels), 1) * BAND_H

    valid: list[DiagramLink] = []
    seen_links: set[tuple[int, int]] = set()
    for link in links:
        key = (link.source_id, link.target_id)
        if key not in seen_links and link.source_id in boxes and link.target_id in boxes:
            seen_links.add(key)
            valid.append(link)

    # Spread each box's arrow ends along its edge, ordered by where the other end
    # sits, so fan-in and fan-out arrows neither share a point nor cross needlessly.
    def ports(ends: dict[int, list[tuple[float, int, int]]]) -> dict[tuple[int, int], float]:
        result = {}
        for step_id, items in ends.items():
            box = boxes[step_id]
            for k, (_, _, idx) in enumerate(sorted(items)):
                result[(step_id, idx)] = box.x + BOX_W * (0.15 + 0.7 * (k + 1) / (len(items) + 1))
        return result

    out_ends: dict[int, list[tuple[float, int, int]]] = {}
    in_ends: dict[int, list[tuple[float, int, int]]] = {}
    for idx, link in enumerate(valid):
        src, tgt = boxes[link.source_id], boxes[link.target_id]
        out_ends.setdefault(src.step.id, []).append((tgt.cx, tgt.band, idx))
        in_ends.setdefault(tgt.step.id, []).append((src.cx, src.band, idx))
    out_x, in_x = ports(out_ends), ports(in_ends)

    marker = f"{prefix}-arrow"
    used: dict[int, int] = {}
    link_svg = []
    for idx, link in enumerate(valid):
        src, tgt = boxes[link.source_id], boxes[link.target_id]
        cls, d = _link_path(src, tgt, out_x[(src.step.id, idx)], in_x[(tgt.step.id, idx)], row_xs, width, used, idx)
        link_svg.append(
            f'<path class="{cls}" data-source="{link.source_id}" data-target="{link.target_id}" d="{d}"'
            f' marker-end="url(#{marker})"/>'
        )

    band_svg = []
    for i, level in enumerate(levels):
        top = i * BAND_H
        name = _clean(level.name).strip()
        band_svg.append(
            f'<g class="level" data-level-id="{level.id}"><title>{escape(name)}</title>'
            f'<rect x="0" y="{top}" width="{_n(width)}" height="{BAND_H}" fill="{BAND_FILLS[i % 2]}"/>'
            f"{_text_lines(_wrap(name, LABEL_CHARS, 2), 12, top + BAND_H / 2, 'start', '600')}</g>"
        )

    rendered_steps = sorted(boxes.values(), key=lambda b: (b.band, b.x))
    summary = f"{_plural(len(levels), 'level')}, {_plural(len(boxes), 'step')}, {_plural(len(valid), 'link')}."
    # With links inside, the SVG must be a group (an img may not hold interactive
    # content); without, role="img" hides the inner structure, so the description
    # also lists every step by level.
    role = "group" if any(_safe_href(b.step) for b in rendered_steps) else "img"
    per_level = [
        f"{_clean(level.name).strip()}: "
        + (", ".join(_clean(b.step.title).strip() for b in rendered_steps if b.band == i) or "none")
        for i, level in enumerate(levels)
    ]
    desc = " ".join([summary] + [f"{line}." for line in per_level])

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="results-chain" role="{role}"'
        f' aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc"'
        f' viewBox="0 0 {_n(width)} {height}" width="100%" preserveAspectRatio="xMidYMin meet"'
        f' font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{prefix}-title">{escape(_clean(title))}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9"'
        f' markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{LINK_COLOUR}"/></marker></defs>',
        *band_svg,
        f'<line x1="{LABEL_W}" y1="0" x2="{LABEL_W}" y2="{height}" stroke="#cbd5e1" stroke-width="1"/>',
        # Links go under the boxes, so any near miss is hidden rather than drawn over text.
        # The links' stroke is their group's, as the text's size and colour are the <svg>'s.
        f'<g class="links" fill="none" stroke="{LINK_COLOUR}" stroke-width="1.5">', *link_svg, "</g>",
        *(_step_svg(box) for box in rendered_steps),
    ]
    if not boxes:
        parts.append(
            f'<text class="empty" x="{_n(LABEL_W + (width - LABEL_W) / 2)}" y="{_n(height / 2 + 5)}"'
            f' text-anchor="middle" font-size="15">No steps yet</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
