"""Plotly's JavaScript, taken from the installed plotly package, and the stylesheet its strict mode needs.

Locked-down office browsers may reach no host but ours, and our Content-Security-Policy allows no
inline style. Plotly.js adds its few global CSS rules as an inline <style> element unless the page
already holds an element with id "plotly.js-style-global" and class "no-inline-styles"; the pages
link this stylesheet under that id, holding the same rules, read from the installed bundle so they
always match its version. The bundle also injects the CSS of its map library (unused here) unless an
element with a given id exists; the pages hold an empty <template> with each such id.
"""
from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.resources
import re
from pathlib import Path

STYLE_ELEMENT_ID = "plotly.js-style-global"

# The bundle's global rules are one object literal of string pairs, its first key "X,X div", where
# X stands for ".js-plotly-plot .plotly" and Y for ".plotly-notifier".
_RULES_START = '{"X,X div":'
_STRING = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_KEY = _STRING[:-1] + r"|[A-Za-z_$][\w$]*)"  # a key may also be a bare name (Y)
_PAIR = re.compile(_KEY + r"\s*:\s*" + _STRING + r"\s*([,}])")


_GUARDED_STYLE = re.compile(
    r'if\(!document\.getElementById\("([^"]+)"\)\)\{var \w+=document\.createElement\("style"\)')


def plotly_version() -> str:
    return importlib.metadata.version("plotly")


def bundle_path() -> Path:
    return Path(str(importlib.resources.files("plotly") / "package_data" / "plotly.min.js"))


@functools.cache
def guarded_style_ids() -> tuple[str, ...]:
    """Ids whose presence stops the bundle from adding an inline <style> (which the CSP would refuse)."""
    return tuple(_GUARDED_STYLE.findall(bundle_path().read_text(encoding="utf-8")))


@functools.cache
def global_stylesheet() -> str:
    """Plotly's global CSS rules, as a stylesheet (empty if this bundle hides them otherwise).

    Without them a chart still draws; only fonts and cursors fall back to the page's.
    """
    source = bundle_path().read_text(encoding="utf-8")
    start = source.find(_RULES_START)
    if start < 0:
        return ""
    rules, position = [], start + 1
    while True:
        match = _PAIR.match(source, position)
        if match is None:
            return ""
        key, value = match.group(1, 2)
        selector = ast.literal_eval(key) if key[0] in "'\"" else key
        declarations = ast.literal_eval(value)
        selector = " ," + selector[1:] if selector.startswith(",") else selector
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{selector} {{{declarations}}}")
        if match.group(3) == "}":
            return "\n".join(rules) + "\n"
        position = match.end()
