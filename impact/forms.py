"""The base form every form in the app derives from."""
from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice


def _strip(value):
    # NUL never belongs in text, and PostgreSQL refuses it in text columns.
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Leading/trailing spaces are never meaningful in our inputs and break uniqueness checks.
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                unbound_field.kwargs["filters"] = [_strip, *filters]
            return unbound_field.bind(form=form, **options)


class VersionedForm(BaseForm):
    """A form editing a row with optimistic locking: it carries the version it was based on."""

    version = HiddenField()

    def submitted_version(self) -> int | None:
        # Read what was posted, not .data: when the field is missing from the POST,
        # WTForms keeps the value it took from the object, which would always look current.
        raw = self.version.raw_data
        if not raw:
            return None
        try:
            return int(raw[0])
        except (TypeError, ValueError):
            return None


def select_choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Options for a SelectField or RadioField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls) -> list[SelectChoice]:
    return select_choices((member.value, member.label) for member in enum_cls)
