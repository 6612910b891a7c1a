"""Console forms: they check shape only; the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grs.services import MAX_DESCRIPTION

from .service import OUTCOMES


class LookupForm(FlaskForm):
    """The caller's number, in local or international form."""

    phone = StringField(_l("Caller's phone number"), validators=[DataRequired(_l("Enter the caller's phone number.")),
                                                                Length(max=30)])


class StartCallForm(FlaskForm):
    phone = StringField(_l("Caller's phone number"), validators=[Optional(), Length(max=30)])


class EndCallForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), validators=[DataRequired(_l("Choose what came of the call."))])
    grievance = StringField(_l("Tracking code (if the call was about one)"), validators=[Optional(), Length(max=30)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def fill_choices(self) -> None:
        labels = {"lodged": _l("Complaint lodged"), "status_given": _l("Status given"),
                  "info_only": _l("Information only"), "dropped": _l("Call dropped")}
        self.outcome.choices = [("", _l("Choose the outcome"))] + [(o, labels[o]) for o in OUTCOMES]


class OperatorLodgeForm(FlaskForm):
    """A complaint taken over the phone; the area is picked apart, one level at a time."""

    # A fresh value per form shown: the same form sent twice lodges one grievance.
    token = HiddenField(validators=[Optional(), Length(max=64)])  # a uuid4 hex; part of source_ref (120)
    call_id = HiddenField()
    programme = SelectField(_l("Programme"), validators=[DataRequired(_l("Choose a programme."))])
    category = SelectField(_l("What is the problem?"), validators=[DataRequired(_l("Choose what the problem is."))])
    description = TextAreaField(_l("What the caller says"), validators=[
        DataRequired(_l("Describe the complaint.")),
        Length(max=MAX_DESCRIPTION, message=_l("Keep the description under %(max)d characters."))])
    # As on the citizen's form: a caller who does not know their union still lodges (triage places it).
    area_unknown = BooleanField(_l("The caller does not know the exact area"))
    anonymous = BooleanField(_l("The caller wants to stay anonymous"))
    name = StringField(_l("Caller's name"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Caller's phone number"), validators=[Optional(), Length(max=30)])
    sex = SelectField(_l("Sex"), validators=[Optional()])
    age_band = SelectField(_l("Age"), validators=[Optional()])
    disability = SelectField(_l("Disability"), validators=[Optional()])

    def fill_choices(self, programmes, categories) -> None:
        self.programme.choices = [("", _l("Choose a programme"))] + programmes
        self.category.choices = [("", _l("Choose the kind of problem"))] + categories
        self.sex.choices = [("", _l("Not asked / not said")), ("female", _l("Female")), ("male", _l("Male")),
                            ("other", _l("Other"))]
        self.age_band.choices = [("", _l("Not asked / not said")), ("under_18", _l("Under 18")),
                                 ("18_34", _l("18 to 34")), ("35_59", _l("35 to 59")),
                                 ("60_plus", _l("60 or older"))]
        self.disability.choices = [("", _l("Not asked / not said")), ("yes", _l("Yes")), ("no", _l("No"))]


class AddInfoForm(FlaskForm):
    """The information a caller gives in answer to the office's request, typed by the operator."""

    text = TextAreaField(_l("What the caller says"),
                         validators=[DataRequired(_l("Write the information the office asked for.")),
                                     Length(max=MAX_DESCRIPTION)])


class CallerAppealForm(FlaskForm):
    """The caller asks for an appeal (after a decision, or once the deadline passed without one)."""

    note = TextAreaField(_l("Why the caller appeals (optional)"), validators=[Optional(), Length(max=1000)])
