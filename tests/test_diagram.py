"""Tests for the server-rendered results-chain SVG."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

from impact.toc.diagram import (
    PROGRESS_FILLS,
    TEXT_COLOUR,
    DiagramLevel,
    DiagramLink,
    DiagramStep,
    render_chain_svg,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
LEVEL_NAMES = [
    "Inputs", "Activities", "Outputs", "Reach", "Reactions",
    "Capacity change", "Practice change", "Direct benefits", "Wider outcomes",
]
PROGRESS = ["none", "low", "some", "good", "unknown", None]
CONFIDENCE = ["low", "medium", "high", None]


def example_chain():
    """40 steps over 9 levels, with skips, fan-in, a sideways and an upward link."""
    levels = [DiagramLevel(i + 1, name) for i, name in enumerate(LEVEL_NAMES)]
    counts = [3, 6, 8, 5, 4, 5, 4, 3, 2]
    steps, by_level, next_id = [], [], 1
    for level, count in zip(levels, counts, strict=True):
        ids = []
        for k in range(count):
            steps.append(DiagramStep(
                id=next_id, level_id=level.id,
                title=f"{level.name} step {k + 1}" + ": improve local services" * (k % 3),
                href=f"/steps/{next_id}" if next_id % 2 else None,
                progress=PROGRESS[next_id % len(PROGRESS)],
                confidence=CONFIDENCE[next_id % len(CONFIDENCE)],
            ))
            ids.append(next_id)
            next_id += 1
        by_level.append(ids)
    links = []
    for upper, lower in zip(by_level, by_level[1:], strict=False):
        for k, target in enumerate(lower):
            parents = {upper[k * len(upper) // len(lower)], upper[-1 - k % len(upper)] if k % 2 else None}
            links += [DiagramLink(parent, target) for parent in sorted(parents - {None})]
    links += [
        DiagramLink(by_level[1][0], by_level[4][3]),   # skips 2 levels
        DiagramLink(by_level[2][7], by_level[6][0]),   # long skip, right to left
        DiagramLink(by_level[0][1], by_level[8][1]),   # top to bottom
        DiagramLink(by_level[6][2], by_level[2][4]),   # feedback upwards
        DiagramLink(by_level[3][0], by_level[3][3]),   # sideways in one level
        DiagramLink(999, by_level[0][0]),              # unknown ids: skipped
        DiagramLink(by_level[0][0], 998),
    ]
    return levels, steps, links


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def step_boxes(root):
    """step id -> (x, y, w, h) of its rectangle."""
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if "step" in group.get("class", "").split():
            rect = group.find("svg:rect", NS)
            boxes[int(group.get("data-step-id"))] = tuple(
                float(rect.get(a)) for a in ("x", "y", "width", "height"))
    return boxes


def link_paths(root):
    return [p for p in root.iter(f"{SVG}path") if "link" in p.get("class", "").split()]


def sample_path(d: str, per_segment: int = 40):
    """Points along an absolute M/L/C path, enough to test what an arrow crosses."""
    tokens = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    points, current, i = [], None, 0
    while i < len(tokens):
        cmd = tokens[i]
        if cmd == "M":
            current = (float(tokens[i + 1]), float(tokens[i + 2]))
            i += 3
        elif cmd == "L":
            end = (float(tokens[i + 1]), float(tokens[i + 2]))
            points += [(current[0] + (end[0] - current[0]) * t / per_segment,
                        current[1] + (end[1] - current[1]) * t / per_segment) for t in range(per_segment + 1)]
            current, i = end, i + 3
        elif cmd == "C":
            c1, c2, end = [(float(tokens[i + j]), float(tokens[i + j + 1])) for j in (1, 3, 5)]
            for t in (k / per_segment for k in range(per_segment + 1)):
                points.append(tuple(
                    (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3
                    for p0, p1, p2, p3 in zip(current, c1, c2, end, strict=True)))
            current, i = end, i + 7
        else:  # pragma: no cover - the renderer only emits M, L and C
            raise AssertionError(f"unexpected path command {cmd}")
    return points


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_returns_markup_and_well_formed_accessible_svg():
    levels, steps, links = example_chain()
    svg = render_chain_svg(levels, steps, links, title="Our chain")
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    # the example steps carry links, so the SVG is a group (an img may not hold links)
    assert root.get("role") == "group"
    unlinked = [DiagramStep(s.id, s.level_id, s.title) for s in steps]
    assert parse(render_chain_svg(levels, unlinked, links)).get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("preserveAspectRatio")
    title_id = root.get("aria-labelledby")
    title = root.find("svg:title", NS)
    assert title.get("id") == title_id and title.text == "Our chain"
    desc = root.find("svg:desc", NS)
    assert desc.text.startswith(f"9 levels, 40 steps, {len(links) - 2} links.")
    width = float(root.get("viewBox").split()[2])
    assert width >= 8 * 170  # busiest band (8 steps) sets the legible minimum size


def test_every_step_title_appears_and_user_text_is_escaped():
    nasty = '<script>alert(1)</script> & "x"'
    levels = [DiagramLevel(1, 'Inputs <b>&</b>')]
    steps = [DiagramStep(1, 1, nasty, href='/s?a=1&b="2"'), DiagramStep(2, 1, "Plain")]
    svg = str(render_chain_svg(levels, steps, [], title="T & <i>"))
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;" in svg
    assert 'href="/s?a=1&amp;b=&#34;2&#34;"' in svg
    root = parse(svg)
    titles = [g.find("svg:title", NS).text for g in root.iter(f"{SVG}g") if g.get("class", "").startswith("step")]
    assert titles == [nasty, "Plain"]

    levels, steps, links = example_chain()
    root = parse(render_chain_svg(levels, steps, links))
    shown = {g.find("svg:title", NS).text for g in root.iter(f"{SVG}g") if "step" in g.get("class", "").split()}
    assert {s.title.strip() for s in steps} <= {t.split(" (progress")[0].split(" (confidence")[0] for t in shown}


def test_one_arrow_per_valid_link_and_unknown_ids_skipped():
    levels, steps, links = example_chain()
    root = parse(render_chain_svg(levels, steps, links))
    paths = link_paths(root)
    known = {s.id for s in steps}
    valid = [link for link in links if link.source_id in known and link.target_id in known]
    assert len(paths) == len(valid) == len(links) - 2
    assert [(int(p.get("data-source")), int(p.get("data-target"))) for p in paths] == [
        (link.source_id, link.target_id) for link in valid]
    marker_ids = {m.get("id") for m in root.iter(f"{SVG}marker")}
    for path in paths:
        assert path.get("marker-end")[len("url(#"):-1] in marker_ids
        assert " C" in path.get("d")  # drawn with cubic Bézier curves


def test_duplicate_links_draw_one_arrow():
    levels = [DiagramLevel(1, "Inputs"), DiagramLevel(2, "Activities")]
    steps = [DiagramStep(1, 1, "A"), DiagramStep(2, 2, "B")]
    root = parse(render_chain_svg(levels, steps, [DiagramLink(1, 2), DiagramLink(1, 2)]))
    assert len(link_paths(root)) == 1


def test_levels_stack_top_to_bottom():
    levels, steps, links = example_chain()
    boxes = step_boxes(parse(render_chain_svg(levels, steps, links)))
    level_of = {s.id: s.level_id for s in steps}
    for upper, lower in zip(levels, levels[1:], strict=False):
        upper_bottom = max(y + h for sid, (x, y, w, h) in boxes.items() if level_of[sid] == upper.id)
        lower_top = min(y for sid, (x, y, w, h) in boxes.items() if level_of[sid] == lower.id)
        assert lower_top > upper_bottom
    # Within a band the display order runs left to right.
    first_band = [boxes[s.id][0] for s in steps if s.level_id == levels[2].id]
    assert first_band == sorted(first_band)


def test_forty_steps_do_not_overlap_and_fit_the_viewbox():
    levels, steps, links = example_chain()
    root = parse(render_chain_svg(levels, steps, links))
    _, _, vw, vh = (float(v) for v in root.get("viewBox").split())
    boxes = list(step_boxes(root).values())
    assert len(boxes) == 40
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        assert 150 <= x1 and x1 + w1 <= vw and 0 <= y1 and y1 + h1 <= vh
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1


def test_arrows_do_not_run_through_boxes():
    levels, steps, links = example_chain()
    root = parse(render_chain_svg(levels, steps, links))
    boxes = step_boxes(root)
    for path in link_paths(root):
        for px, py in sample_path(path.get("d")):
            for sid, (x, y, w, h) in boxes.items():
                inside = x + 1 < px < x + w - 1 and y + 1 < py < y + h - 1
                assert not inside, f"link {path.get('data-source')}->{path.get('data-target')} crosses step {sid}"


def test_no_inline_styles_scripts_or_external_references():
    levels, steps, links = example_chain()
    svg = str(render_chain_svg(levels, steps, links))
    root = parse(svg)
    assert "style=" not in svg
    for element in root.iter():
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}image", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    assert re.findall(r"url\((?!#)", svg) == []
    assert "@import" not in svg and "xlink:href" not in svg


def test_steps_with_href_are_links():
    levels, steps, links = example_chain()
    root = parse(render_chain_svg(levels, steps, links))
    anchors = list(root.iter(f"{SVG}a"))
    expected = {s.href for s in steps if s.href}
    assert {a.get("href") for a in anchors} == expected
    for a in anchors:
        group = a.find("svg:g", NS)
        assert "step" in group.get("class").split()
        assert a.get("href") == f"/steps/{group.get('data-step-id')}"


def test_dangerous_href_is_not_linked():
    levels = [DiagramLevel(1, "Inputs")]
    steps = [DiagramStep(1, 1, "A", href=" JavaScript:alert(1)")]
    svg = str(render_chain_svg(levels, steps, []))
    assert "<a " not in svg and "alert" not in svg


def test_status_attributes_classes_and_colours():
    levels = [DiagramLevel(1, "Outputs")]
    steps = [
        DiagramStep(1, 1, "Good", progress="good", confidence="high"),
        DiagramStep(2, 1, "Low", progress="low", confidence="low"),
        DiagramStep(3, 1, "Some", progress="some", confidence="medium"),
        DiagramStep(4, 1, "Plain"),
    ]
    root = parse(render_chain_svg(levels, steps, []))
    groups = {int(g.get("data-step-id")): g for g in root.iter(f"{SVG}g") if "step" in g.get("class", "")}
    good, low, some, plain = (groups[i] for i in (1, 2, 3, 4))
    assert good.get("class").split() == ["step", "progress-good", "confidence-high"]
    assert (good.get("data-progress"), good.get("data-confidence")) == ("good", "high")
    rect = good.find("svg:rect", NS)
    assert (rect.get("fill"), rect.get("stroke-width"), rect.get("stroke-dasharray")) == ("#d9f2df", "3.5", None)
    rect = low.find("svg:rect", NS)
    assert (rect.get("fill"), rect.get("stroke-width")) == ("#fde2e1", "1.5") and rect.get("stroke-dasharray")
    rect = some.find("svg:rect", NS)
    assert (rect.get("fill"), rect.get("stroke-width")) == ("#fff1c2", "2")
    assert plain.get("data-progress") is None and plain.get("class") == "step"
    assert plain.find("svg:rect", NS).get("fill") == "#ffffff"
    # Status is also spelled out in the tooltip, not only shown by colour.
    assert good.find("svg:title", NS).text == "Good (progress: good; confidence: high)"


def test_text_contrast_meets_wcag_aa_on_every_fill():
    text = luminance(TEXT_COLOUR)
    for fill in PROGRESS_FILLS.values():
        ratio = (luminance(fill) + 0.05) / (text + 0.05)
        assert ratio >= 4.5, fill
    root = parse(render_chain_svg(*example_chain()))
    parents = {child: parent for parent in root.iter() for child in parent}

    def drawn_in(element) -> str | None:  # its own fill, or the one it inherits
        while element is not None and element.get("fill") is None:
            element = parents.get(element)
        return None if element is None else element.get("fill")

    assert {drawn_in(t) for t in root.iter(f"{SVG}text")} == {TEXT_COLOUR}


def test_long_titles_wrap_to_three_lines_with_ellipsis():
    long_title = "Practitioners across the region adopt the new assessment framework in everyday casework decisions"
    root = parse(render_chain_svg([DiagramLevel(1, "Practice change")], [DiagramStep(1, 1, long_title)], []))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "step")
    lines = [t.text for t in group.iter(f"{SVG}tspan")]
    assert len(lines) == 3
    assert lines[-1].endswith("\u2026")
    assert all(len(line) <= 21 for line in lines)
    assert group.find("svg:title", NS).text == long_title


def test_empty_chain_shows_bands_and_message():
    levels = [DiagramLevel(i + 1, name) for i, name in enumerate(LEVEL_NAMES)]
    svg = render_chain_svg(levels, [], [DiagramLink(1, 2)])
    root = parse(svg)
    assert [g.find("svg:title", NS).text for g in root.iter(f"{SVG}g") if g.get("class") == "level"] == LEVEL_NAMES
    assert "No steps yet" in [t.text for t in root.iter(f"{SVG}text")]
    assert link_paths(root) == []
    assert root.find("svg:desc", NS).text.startswith("9 levels, 0 steps, 0 links.")
    # Nothing at all still gives a valid picture.
    assert "No steps yet" in str(render_chain_svg([], [], []))
    parse(render_chain_svg([], [], []))


def test_deterministic_output():
    levels, steps, links = example_chain()
    assert str(render_chain_svg(levels, steps, links)) == str(render_chain_svg(levels, steps, links))


def test_ids_are_unique_and_prefixed_per_diagram():
    levels, steps, links = example_chain()
    first = parse(render_chain_svg(levels, steps, links, svg_id="plan"))
    second = parse(render_chain_svg(levels, steps, links, svg_id="actual"))
    ids_first = [e.get("id") for e in first.iter() if e.get("id")]
    ids_second = [e.get("id") for e in second.iter() if e.get("id")]
    assert len(ids_first) == len(set(ids_first)) >= 3
    assert all(i.startswith("plan-") for i in ids_first)
    assert not set(ids_first) & set(ids_second)
    assert first.get("aria-labelledby") == "plan-title"
    # A hostile prefix cannot break out of the attribute.
    svg = str(render_chain_svg(levels, steps, links, svg_id='x" onload="alert(1)'))
    assert "onload=" not in svg
    parse(svg)
