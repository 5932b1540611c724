"""The form that publishes a version of the report."""
from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from impact.forms import BaseForm


class PublishForm(BaseForm):
    name = StringField("Name of this version", validators=[DataRequired(message="Give this version a name."),
                                                          Length(max=200)])
    submit = SubmitField("Publish this version")
