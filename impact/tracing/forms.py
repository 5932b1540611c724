"""Forms for contribution claims and their evidence tests."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from impact.forms import BaseForm, VersionedForm, enum_choices, select_choices
from impact.tracing.bayes import PRESETS
from impact.tracing.item_picker import ItemPicker, live_item_title
from impact.tracing.models import ClaimTest, TestType
from impact.tracing.services import TestValues

PROBABILITY_HELP = "Enter a number from 0 to 1, such as 0.5, or a percentage such as 50%."


def parse_probability(text: str) -> float:
    """'0.5', '50%', '50 %' or '0,5' as a probability; ValueError with a message for the user otherwise."""
    raw = text.strip().replace(",", ".")
    percent = raw.endswith("%")
    if percent:
        raw = raw[:-1].strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"“{text}” is not a number. {PROBABILITY_HELP}") from None
    if value != value or value in (float("inf"), float("-inf")):  # nan and infinity parse but mean nothing here
        raise ValueError(f"“{text}” is not a number. {PROBABILITY_HELP}")
    if percent:
        if not 0 <= value <= 100:
            raise ValueError(f"A percentage must be from 0% to 100%; “{text}” is outside that.")
        return value / 100
    if not 0 <= value <= 1:
        hint = f" Did you mean {value:g}%?" if 1 < value <= 100 else ""
        raise ValueError(f"A probability must be from 0 to 1; {value:g} is outside that.{hint} {PROBABILITY_HELP}")
    return value


def format_probability(value: float | None) -> str:
    """How a stored probability is put back into a text box: short, and parsed back to the same number."""
    return "" if value is None else f"{value:.6g}"


class ProbabilityField(StringField):
    """A probability typed as a number (0.5) or a percentage (50%); `.probability` holds the float or None."""

    probability: float | None = None

    def process_data(self, value):
        self.data = format_probability(value) if isinstance(value, (int, float)) else value

    def pre_validate(self, form):
        self.probability = None
        if self.data:
            try:
                self.probability = parse_probability(self.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None


def _about_choices(steps, links, step_by_id):
    choices = [("", "The whole contribution story (no particular part)")]
    choices += [(f"step-{step.id}", f"Step: {step.title}") for step in steps]
    choices += [(f"link-{link.id}", f"Link: {step_by_id[link.source_step_id].title} → "
                                    f"{step_by_id[link.target_step_id].title}") for link in links]
    return select_choices(choices)


class ClaimForm(VersionedForm):
    statement = StringField("Claim", validators=[DataRequired(), Length(max=500)])
    description = TextAreaField("Description (optional)", validators=[Optional(), Length(max=5000)],
                                render_kw={"rows": 3})
    about = SelectField("Part of the chain it is about (optional)", choices=select_choices([("", "")]),
                        validate_choice=False)
    prior = ProbabilityField("Prior confidence", validators=[DataRequired(message=PROBABILITY_HELP)])
    submit = SubmitField("Save claim")

    def set_chain(self, chain) -> None:
        self.about.choices = _about_choices(chain.steps, chain.links, chain.step_by_id)
        self._step_ids = {step.id for step in chain.steps}
        self._link_ids = {link.id for link in chain.links}

    def validate_about(self, field) -> None:
        # The choices come from this project's chain, so anything else (another project's step,
        # a step deleted meanwhile) is refused here.
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a step or link of this project's chain, or none.")

    def about_ids(self) -> tuple[int | None, int | None]:
        kind, _, number = (self.about.data or "").partition("-")
        return (int(number), None) if kind == "step" else (None, int(number)) if kind == "link" else (None, None)

    def set_about(self, step_id: int | None, link_id: int | None) -> None:
        self.about.data = f"step-{step_id}" if step_id else f"link-{link_id}" if link_id else ""


FOUND_CHOICES = select_choices([("found", "Found"), ("not_found", "Sought but not found")])


class ClaimTestForm(VersionedForm):
    """A test of a claim; `version` is the claim's, which every change to its tests bumps."""

    description = TextAreaField("Evidence sought", validators=[DataRequired(), Length(max=500)],
                                render_kw={"rows": 2})
    item_id = SelectField("Evidence item (optional)", choices=select_choices([("", "None")]),
                          validate_choice=False)
    test_type = SelectField("Test type", choices=enum_choices(TestType), default=TestType.STRAW_IN_THE_WIND.value,
                            validate_choice=False)
    sensitivity = ProbabilityField("Sensitivity: P(evidence | claim true)")
    type_one_error = ProbabilityField("Type-I error: P(evidence | claim false)")
    found = RadioField("Outcome", choices=FOUND_CHOICES, validators=[DataRequired(message="Say whether it was found.")])
    submit = SubmitField("Save test")

    # The project whose items may be chosen (set_project), the chosen item as validated, and what the
    # page offers (offer): a bounded list, so any item id may come back and is checked in SQL.
    project_id: int | None = None
    chosen_item: tuple[int, str] | None = None
    picker: ItemPicker | None = None

    def set_project(self, project_id: int) -> None:
        self.project_id = project_id

    def offer(self, picker: ItemPicker) -> None:
        self.picker = picker
        self.item_id.choices = picker.choices()

    def validate_item_id(self, field) -> None:
        self.chosen_item = None
        if not field.data:
            return
        try:
            item_id = int(field.data)
        except ValueError:
            item_id = None
        # Another project's item, one in the trash and a made-up id all read as nothing here; an id past
        # the column's range is one too (PostgreSQL would refuse the comparison).
        known = item_id is not None and 0 < item_id < 2**31 and self.project_id is not None
        self.chosen_item = live_item_title(self.project_id, item_id) if known else None
        if self.chosen_item is None:
            raise ValidationError("Choose an evidence item of this project (not one in the trash), or none.")

    def validate_test_type(self, field) -> None:
        if field.data not in {member.value for member in TestType}:
            raise ValidationError("Choose a test type from the list.")

    def values(self, previous: ClaimTest | None = None) -> tuple[TestValues | None, str | None]:
        """The test as typed, presets resolved; (None, None) after adding errors to the fields.

        Without JavaScript the numbers cannot follow the type, so: a preset type with blank numbers
        takes the preset's values; numbers typed with a preset type win, and the test becomes
        "set by hand" unless they equal the preset. When editing, numbers left as they were while the
        type changed to a preset mean "use the preset". The note says when the type was changed.
        """
        test_type = TestType(self.test_type.data)
        s, a = self.sensitivity.probability, self.type_one_error.probability
        preset = PRESETS.get(test_type)
        note = None
        if preset:
            if previous is not None and test_type != previous.test_type and (s, a) == (
                    previous.sensitivity, previous.type_one_error):
                s, a = preset
            s = preset[0] if s is None else s
            a = preset[1] if a is None else a
            if (s, a) != preset:
                note = (f"The numbers differ from the typical {test_type.label.lower()} values "
                        f"({preset[0]:g}, {preset[1]:g}), so the test is recorded as set by hand.")
                test_type = TestType.CUSTOM
        else:
            for field, value in ((self.sensitivity, s), (self.type_one_error, a)):
                if value is None and not field.errors:
                    field.errors.append("Enter a value, or choose one of the four classic test types to use its "
                                        "typical values.")
            if s is None or a is None:
                return None, None
        item_id = int(self.item_id.data) if self.item_id.data else None
        return TestValues(self.description.data, item_id, test_type, s, a, self.found.data == "found"), note

    @staticmethod
    def data_of(test: ClaimTest) -> dict[str, object]:
        """What the edit form starts from (given on GET only: on POST a missing field must stay missing)."""
        return {"description": test.description, "item_id": str(test.item_id) if test.item_id else "",
                "test_type": test.test_type.value, "sensitivity": test.sensitivity,
                "type_one_error": test.type_one_error, "found": "found" if test.found else "not_found"}


class RestoreTestForm(ClaimTestForm):
    """Putting a removed test back from the trash: `undo` names its trash record (signed), its values come in
    hidden fields and are checked as when adding."""

    position = HiddenField()
    undo = HiddenField()

    def index(self) -> int | None:
        try:
            return int(self.position.data)
        except (TypeError, ValueError):
            return None  # then it goes at the end: nothing is lost over a bad position


class DeleteTestForm(VersionedForm):
    confirm = HiddenField()  # "yes" only from the confirmation page (no default: a missing field is no)
    submit = SubmitField("Yes, remove the test")

    def confirmed(self) -> bool:
        return self.confirm.data == "yes"


class MoveTestForm(VersionedForm):
    direction = HiddenField()


class TracingSettingsForm(BaseForm):
    enabled = BooleanField("Use contribution tracing in this project")
    submit = SubmitField("Save")
