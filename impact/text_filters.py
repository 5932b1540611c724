"""Jinja filters for text that people wrote and counts that pages put into words.

Registered on the app (register_template_helpers), so every template can use them:

- ``text|paragraphs``: the text's paragraphs (split on blank lines, Windows and old Mac newlines
  too), each escaped and then wrapped in ``<p>``; ``text|paragraphs(empty="(none)")`` gives one
  paragraph saying so when there is no text.
- ``count|plural("card")``: "card" for one, "cards" otherwise (``plural("this row", "these rows")``
  for any other pair); the count may be a number or a list, whose length is counted.
- ``count|counted("card")``: the number and the word, "1 card", "3 cards".
"""
from __future__ import annotations

import re
from collections.abc import Sized

from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

# A blank line: two line ends with nothing but spaces or tabs between them.
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a text, without the blank lines between them and without empty ones."""
    if not text:
        return []
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return [para.strip() for para in _BLANK_LINE.split(text) if para.strip()]


@pass_eval_context
def paragraphs(eval_ctx: EvalContext, text: str | None, empty: str | None = None) -> str:
    paras = split_paragraphs(text)
    if isinstance(text, Markup):  # already safe: its paragraphs are too
        paras = [Markup(para) for para in paras]
    paras = paras or ([empty] if empty is not None else [])
    if not eval_ctx.autoescape:
        return "".join(f"<p>{para}</p>" for para in paras)
    # Escaped first, then wrapped.
    return Markup("").join(Markup("<p>{}</p>").format(escape(para)) for para in paras)


def _number(count: int | Sized) -> int:
    return len(count) if isinstance(count, Sized) else int(count)


def plural(count: int | Sized, singular: str, plural: str | None = None) -> str:
    """``singular`` for exactly one, else ``plural`` (by default the singular with an "s")."""
    if _number(count) == 1:
        return singular
    return singular + "s" if plural is None else plural


def counted(count: int | Sized, singular: str, plural_form: str | None = None) -> str:
    return f"{_number(count)} {plural(count, singular, plural_form)}"


FILTERS = {"paragraphs": paragraphs, "plural": plural, "counted": counted}
