"""Forms of the story pages: the team's conclusion and naming a snapshot."""
from __future__ import annotations

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from impact.forms import BaseForm, VersionedForm


class ConclusionForm(VersionedForm):
    conclusion = TextAreaField("Conclusion", validators=[Optional(), Length(max=20000)], render_kw={"rows": 12})
    submit = SubmitField("Save conclusion")


class SnapshotForm(BaseForm):
    name = StringField("Snapshot name", validators=[DataRequired(message="Give the snapshot a name."),
                                                   Length(max=200)])
    submit = SubmitField("Save a snapshot")
