"""The base form every form in the app derives from."""
from __future__ import annotations

import enum
from collections.abc import Iterable

from flask import current_app, g, request, session
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from impact.mail.addresses import MAX_LENGTH as ADDRESS_MAX_LENGTH
from impact.mail.addresses import AddressError, normalise_address


def _strip(value):
    # NUL never belongs in text, and PostgreSQL refuses it in text columns.
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class FieldError(ValueError):
    """What a service refuses to save, with a message for the form field named (``form[error.field]``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


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


def _enum_value(value):
    return value.value if isinstance(value, enum.Enum) else value


class _EnumChoices:
    """A choice among an enum's members, offered (and submitted) by their values.

    A model attribute holds the member while the options hold its value, so a plain
    SelectField filled with ``obj=`` compares ``str(member)`` with the values, selects
    nothing and saves the first option. This field turns a member into its value when
    it takes data from an object, a ``data=`` dict or its default, so an edit form shows
    the stored choice. ``.data`` stays the value (a string); ``.member`` is the member.
    """

    def __init__(self, label=None, validators=None, *, enum_cls: type[enum.Enum], **kwargs):
        kwargs.setdefault("choices", enum_choices(enum_cls))
        if "default" in kwargs:
            kwargs["default"] = _enum_value(kwargs["default"])
        super().__init__(label, validators, **kwargs)
        self.enum_cls = enum_cls

    def process_data(self, value):
        super().process_data(_enum_value(value))

    @property
    def member(self):
        try:
            return self.enum_cls(self.data)
        except ValueError:
            return None


class EnumSelectField(_EnumChoices, SelectField):
    """A SelectField over an enum; see _EnumChoices."""


class EnumRadioField(_EnumChoices, RadioField):
    """A RadioField over an enum; see _EnumChoices."""


class EmailAddressField(EmailField):
    """An email address, checked and put in its stored form (see impact.mail.addresses).

    After validation ``.data`` is the normalised address, so every form stores, looks up and
    mails the same value. Required unless ``optional=True`` (then blank stays blank).
    """

    def __init__(self, label=None, validators=None, *, optional: bool = False, **kwargs):
        render_kw = {"maxlength": ADDRESS_MAX_LENGTH, "spellcheck": "false", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.optional = optional

    def pre_validate(self, form):
        if self.optional and not (self.data or "").strip():
            self.data = ""
            return
        try:
            self.data = normalise_address(self.data or "")
        except AddressError as exc:
            raise ValidationError(str(exc)) from None


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (a multiple select needs Ctrl on a PC and is poor on a phone).

    Rendered by the field macro as a fieldset; ``.data`` is the list of chosen values, coerced by ``coerce``.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# Signed CSRF tokens, one per session's CSRF secret, reused by this process ------------------------------

_SIGNED_TOKENS: dict[tuple[str, str], str] = {}
_SIGNED_TOKENS_KEPT = 10_000  # sessions' tokens held at once (a few MB at most); then forgotten and signed again


def _reuse_signed_token() -> None:
    """Flask-WTF signs the session's CSRF secret afresh on every page (a tenth of a page served from the
    cache); a signature made once for a secret is as good on every later page of that session."""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return  # no session yet, so no secret: the session is left untouched
    secret = session.get(_field_name())
    signed = _SIGNED_TOKENS.get((_signing_key(), secret)) if isinstance(secret, str) else None
    if signed is not None:
        setattr(g, _field_name(), signed)


def _keep_signed_token(response):
    signed = g.get(_field_name())
    if signed is None:
        return response  # this request made no token: the session is left untouched
    secret = session.get(_field_name())
    if isinstance(secret, str):
        if len(_SIGNED_TOKENS) >= _SIGNED_TOKENS_KEPT:
            _SIGNED_TOKENS.clear()
        _SIGNED_TOKENS.setdefault((_signing_key(), secret), signed)
    return response


def _field_name() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"


def _signing_key() -> str:
    return current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key


def register_signed_token_reuse(app) -> None:
    # Only where tokens never expire (WTF_CSRF_TIME_LIMIT None: a long form must not time out); with a
    # limit, a reused signature would carry its first page's time.
    if app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return
    app.before_request(_reuse_signed_token)
    app.after_request(_keep_signed_token)
