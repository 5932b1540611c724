from __future__ import annotations

from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from impact.forms import BaseForm, EmailAddressField, VersionedForm, enum_choices, select_choices
from impact.local_time import is_zone, site_zone_name, zone_choices, zone_names
from impact.projects.models import OrganisationKind, PartnerGroup, Role


class TimeZoneField(SelectField):
    """An IANA time zone chosen from the list; any other value is refused beside the field."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", select_choices(zone_choices()))
        kwargs.setdefault("invalid_choice_message",
                          "Choose a time zone from the list: a place whose clock the project keeps, "
                          "such as Europe/London.")
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        super().process_data(value)
        # An old alias ("GB") an imported project brought is shown as chosen, not silently replaced.
        if is_zone(value) and value not in zone_names():
            self.choices = [SelectChoice(value, value), *self.choices]


class ProjectFieldsMixin:
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(
        "Cause-effect question",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})
    start_date = DateField("Start date", validators=[Optional()])
    end_date = DateField("End date", validators=[Optional()])
    funder = StringField("Funder", validators=[Optional(), Length(max=200)])
    programme = StringField("Programme", validators=[Optional(), Length(max=200)])
    time_zone = TimeZoneField("Time zone", default=site_zone_name)

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date must be on or after the start date.")


class ProjectCreateForm(ProjectFieldsMixin, BaseForm):
    organisations = TextAreaField(
        "Partner organisations",
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 4},
    )
    submit = SubmitField("Create project")

    def organisation_names(self) -> list[str]:
        seen: dict[str, str] = {}
        for line in (self.organisations.data or "").splitlines():
            name = line.strip()
            if name and name.lower() not in seen:
                seen[name.lower()] = name
        return list(seen.values())

    def validate_organisations(self, field):
        too_long = [name for name in self.organisation_names() if len(name) > 200]
        if too_long:
            raise ValidationError("Each organisation name must be at most 200 characters.")


class ProjectEditForm(ProjectFieldsMixin, VersionedForm):
    submit = SubmitField("Save changes")


class OrganisationForm(BaseForm):
    name = StringField("Organisation name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=enum_choices(OrganisationKind), default=OrganisationKind.OTHER.value)
    submit = SubmitField("Add organisation")


class InviteForm(BaseForm):
    email = EmailAddressField("Email")
    name = StringField("Their name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=enum_choices(Role), default=Role.TEAM_MEMBER.value)
    partner_group = SelectField("Partner group", choices=enum_choices(PartnerGroup),
                                default=PartnerGroup.ACADEMIC.value)
    organisation_id = SelectField("Organisation", coerce=int, default=0)
    submit = SubmitField("Send invitation")


class MemberEditForm(BaseForm):
    role = SelectField("Role", choices=enum_choices(Role))
    partner_group = SelectField("Partner group", choices=enum_choices(PartnerGroup))
    organisation_id = SelectField("Organisation", coerce=int, default=0)
    submit = SubmitField("Save")
