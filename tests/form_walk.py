"""Finding the forms of rendered pages, for tests that walk every form (tests/test_field_limits.py).

`parse_forms(html)` reads every <form> of a page with the standard library's HTML parser and
returns what a browser would submit from it: its method and action, and each control with its
type, name, value and maxlength. Nothing here knows about the app; matching forms to routes is
the test's business.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

# Input types a person types free text into (a missing or unknown type is "text" in HTML).
TEXT_TYPES = {"text", "email", "search", "url", "tel"}
NOT_TYPED = {"hidden", "submit", "button", "reset", "image", "checkbox", "radio", "file", "password", "date",
             "datetime-local", "time", "month", "week", "color", "range"}


@dataclass
class Control:
    tag: str  # input, textarea, select or button
    name: str
    type: str  # the input's type ("text" when missing); "textarea", "select" or the button's type otherwise
    value: str = ""
    maxlength: int | None = None
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def is_text(self) -> bool:
        """Free text typed by a person: text-like inputs and textareas."""
        return self.tag == "textarea" or (self.tag == "input" and self.type in TEXT_TYPES)

    @property
    def is_email(self) -> bool:
        return self.tag == "input" and (self.type == "email" or self.name == "email")

    @property
    def is_number(self) -> bool:
        return self.tag == "input" and self.type == "number"


@dataclass
class Form:
    method: str  # upper case
    action: str  # the path it submits to, resolved against the page, without query string
    query: str
    controls: list[Control] = field(default_factory=list)

    def text_fields(self) -> list[Control]:
        return _unique(control for control in self.controls if control.is_text)

    def field(self, name: str) -> Control | None:
        return next((control for control in self.controls if control.name == name), None)


def _unique(controls) -> list[Control]:
    seen, result = set(), []
    for control in controls:
        if control.name and control.name not in seen:
            seen.add(control.name)
            result.append(control)
    return result


class _FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.textarea: Control | None = None
        self.orphans: list[tuple[str, Control]] = []  # controls with a form="id" attribute
        self.ids: dict[str, Form] = {}

    def handle_starttag(self, tag, attrs):
        attributes = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            target = urlsplit(urljoin(self.page_path, attributes.get("action") or self.page_path))
            self.current = Form(method=(attributes.get("method") or "get").upper(), action=unquote(target.path),
                                query=target.query)
            self.forms.append(self.current)
            if "id" in attributes:
                self.ids[attributes["id"]] = self.current
            return
        if tag not in ("input", "textarea", "select", "button"):
            return
        kind = {"textarea": "textarea", "select": "select"}.get(tag) or (attributes.get("type") or "").lower()
        if tag == "input" and kind not in TEXT_TYPES | NOT_TYPED | {"number"}:
            kind = "text"
        if tag == "button" and not kind:
            kind = "submit"
        maxlength = attributes.get("maxlength")
        control = Control(tag=tag, name=attributes.get("name", ""), type=kind, value=attributes.get("value", ""),
                          maxlength=int(maxlength) if maxlength and maxlength.isdigit() else None, attrs=attributes)
        if tag == "textarea":
            self.textarea = control
        if "form" in attributes:
            self.orphans.append((attributes["form"], control))
        elif self.current is not None:
            self.current.controls.append(control)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea" and self.textarea is not None:
            # A newline straight after <textarea> is not part of its value.
            self.textarea.value = self.textarea.value.removeprefix("\r\n").removeprefix("\n")
            self.textarea = None

    def close(self):
        super().close()
        for form_id, control in self.orphans:
            if form_id in self.ids:
                self.ids[form_id].controls.append(control)


def parse_forms(html: str, page_path: str) -> list[Form]:
    """Every <form> in the page; actions are resolved against page_path (the page's own URL path)."""
    parser = _FormParser(page_path)
    parser.feed(html)
    parser.close()
    return parser.forms


class _ErrorParser(HTMLParser):
    """Collects the text of the app's error messages: field errors, the error summary and error flashes."""

    CLASSES = {"error-message", "error-summary", "flash-error"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # >0 while inside an error element
        self.messages: list[str] = []
        self.ids: list[str] = []  # the id of each message's element ("" if none)
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "hr", "img", "input", "meta", "link"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        starts = bool(classes & self.CLASSES) and self.depth == 0
        if starts:
            self.messages.append("")
            self.ids.append(dict(attrs).get("id") or "")
        self.stack.append(starts or self.depth > 0)
        self.depth += starts

    def handle_endtag(self, tag):
        if tag in ("br", "hr", "img", "input", "meta", "link") or not self.stack:
            return
        if self.stack.pop() and self.depth and not any(self.stack):
            self.depth = 0

    def handle_data(self, data):
        if self.depth and self.messages:
            self.messages[-1] += " " + data


def _errors(html: str) -> list[tuple[str, str]]:
    parser = _ErrorParser()
    parser.feed(html)
    parser.close()
    return [(element_id, " ".join(message.split()))
            for element_id, message in zip(parser.ids, parser.messages, strict=True) if message.strip()]


def error_messages(html: str) -> list[str]:
    """The error messages shown on a page, as plain text (empty when there are none)."""
    return [message for _, message in _errors(html)]


def field_errors(html: str) -> dict[str, str]:
    """The messages shown next to fields, by the field's id (the macro gives them the id "<field id>-error")."""
    return {element_id.removesuffix("-error"): message for element_id, message in _errors(html)
            if element_id.endswith("-error")}
