from __future__ import annotations

from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from impact.forms import BaseForm, EmailAddressField

PASSWORD_RULES = [DataRequired(), Length(min=10, max=200, message="Use at least 10 characters.")]


class LoginForm(BaseForm):
    email = EmailAddressField("Email", render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this computer")
    submit = SubmitField("Log in")


class ResetRequestForm(BaseForm):
    email = EmailAddressField("Email", render_kw={"autocomplete": "email"})
    submit = SubmitField("Email me a reset link")


class ResetPasswordForm(BaseForm):
    password = PasswordField("New password", validators=PASSWORD_RULES, render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set password")


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
