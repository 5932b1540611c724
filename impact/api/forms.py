from __future__ import annotations

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from impact.api.models import NAME_MAX
from impact.forms import BaseForm


class TokenForm(BaseForm):
    name = StringField("What the token is for", validators=[
        DataRequired(message="Say what the token is for, so you can tell it from the others later."),
        Length(max=NAME_MAX)])
    # A token outlives the session it was made in: someone at an unlocked screen must not be able to mint one.
    password = PasswordField("Your password", validators=[DataRequired(message="Enter your password.")])
    submit = SubmitField("Create token")


class RevokeForm(BaseForm):
    submit = SubmitField("Revoke")
