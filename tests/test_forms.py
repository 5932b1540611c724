"""The shared form fields: an enum choice filled from a model shows the stored member.

Also holds ``submitted_form``, which reads a page's form the way a browser would submit
it unchanged, for the edit-form tests of each feature.
"""
from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from impact.events.models import EventKind
from impact.forms import BaseForm, EnumRadioField, EnumSelectField
from impact.toc.models import AssumptionKind, FactorDirection


class _FormReader(HTMLParser):
    """What a browser submits for the page's main form (class "form"), or for the form with the given action."""

    def __init__(self, action: str | None):
        super().__init__()
        self.action, self.in_form, self.done = action, False, False
        self.values: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.option_value: str | None = None
        self.textarea: str | None = None
        self.textarea_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "").lower() == "post":
            if self.action is None:
                self.in_form = "form" in (a.get("class") or "").split()
            else:
                self.in_form = a.get("action") == self.action
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.values.append((name, a.get("value", "on")))
            else:
                self.values.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "option" and self.select:
            value = a.get("value") or ""
            if self.select_first is None:
                self.select_first = value
            if "selected" in a and not self.select_chosen:
                self.values.append((self.select, value))
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea, self.textarea_text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.textarea_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "select" and self.select:
            if not self.select_chosen and self.select_first is not None:
                self.values.append((self.select, self.select_first))  # a browser submits the first option
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the one newline that follows <textarea>.
            self.values.append((self.textarea, self.textarea_text.removeprefix("\r\n").removeprefix("\n")))
            self.textarea = None


def submitted_form(html: str, action: str | None = None) -> MultiDict:
    reader = _FormReader(action)
    reader.feed(html)
    return MultiDict(reader.values)


class _Thing:
    def __init__(self, **values):
        self.__dict__.update(values)


class _Form(BaseForm):
    class Meta:
        csrf = False

    event_kind = EnumSelectField("Kind", enum_cls=EventKind, default=EventKind.SEMINAR)
    assumption_kind = EnumRadioField("Kind", enum_cls=AssumptionKind, default=AssumptionKind.ASSUMPTION)
    direction = EnumRadioField("Direction", enum_cls=FactorDirection)


def _selected(field) -> list[str]:
    return [choice.value for choice in field.iter_choices() if choice.selected]


def test_enum_fields_filled_from_an_object_select_the_stored_member(app):
    with app.test_request_context():
        form = _Form(formdata=None, obj=_Thing(event_kind=EventKind.WORKSHOP, assumption_kind=AssumptionKind.RISK,
                                               direction=FactorDirection.HINDERING))
        assert _selected(form.event_kind) == ["workshop"]
        assert _selected(form.assumption_kind) == ["risk"]
        assert _selected(form.direction) == ["hindering"]
        assert form.event_kind.data == "workshop" and form.event_kind.member is EventKind.WORKSHOP
        assert 'value="workshop" selected' in form.event_kind() or 'selected value="workshop"' in form.event_kind()


def test_enum_fields_take_members_or_values_as_data_and_defaults(app):
    with app.test_request_context():
        blank = _Form(formdata=None)
        assert _selected(blank.event_kind) == ["seminar"] and _selected(blank.assumption_kind) == ["assumption"]
        assert blank.direction.member is None
        given = _Form(formdata=None, data={"event_kind": "workshop", "direction": FactorDirection.HELPING})
        assert _selected(given.event_kind) == ["workshop"] and _selected(given.direction) == ["helping"]


def test_enum_fields_validate_posted_values(app):
    with app.test_request_context(method="POST"):
        posted = _Form(formdata=MultiDict({"event_kind": "workshop", "assumption_kind": "risk",
                                           "direction": "sideways"}),
                       obj=_Thing(event_kind=EventKind.SEMINAR, assumption_kind=AssumptionKind.ASSUMPTION,
                                  direction=FactorDirection.HELPING))
        assert not posted.validate()
        assert posted.event_kind.member is EventKind.WORKSHOP and posted.assumption_kind.member is AssumptionKind.RISK
        assert "direction" in posted.errors and "event_kind" not in posted.errors
