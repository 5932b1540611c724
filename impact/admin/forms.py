from __future__ import annotations

from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from impact.forms import BaseForm, EmailAddressField

ADMIN_LABEL = "Site admin (manages users, sees every project)"
CREATOR_LABEL = "May create projects (site admins always may)"


class UserCreateForm(BaseForm):
    email = EmailAddressField("Email")
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    is_admin = BooleanField(ADMIN_LABEL)
    can_create_projects = BooleanField(CREATOR_LABEL)
    submit = SubmitField("Create user and email a set-password link")


class UserEditForm(BaseForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    is_admin = BooleanField(ADMIN_LABEL)
    can_create_projects = BooleanField(CREATOR_LABEL)
    active = BooleanField("Active (can log in)")
    submit = SubmitField("Save")
