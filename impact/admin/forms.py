from __future__ import annotations

from wtforms import BooleanField, EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from impact.forms import BaseForm


class UserCreateForm(BaseForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    is_admin = BooleanField("Site admin (manages users, sees every project)")
    submit = SubmitField("Create user and email a set-password link")


class UserEditForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    is_admin = BooleanField("Site admin (manages users, sees every project)")
    active = BooleanField("Active (can log in)")
    submit = SubmitField("Save")
