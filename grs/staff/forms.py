"""Staff forms: the inbox filters and one small form per lifecycle action.

Forms check shape only (lengths, choices); which notes are required and which transitions are allowed
are the service's rules, reported back as DomainError fields.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..models import STATUSES
from ..services import DECISIONS, MAX_DESCRIPTION, REJECT_REASONS
from ..uow import reject_reasons
from . import labels

NOTE_MAX = 2000


class InboxFilters(FlaskForm):
    """Query-string filters of the inbox; GET, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="open", choices=[
        ("open", _l("Open")), ("all", _l("All")), *[(s, labels.STATUS[s]) for s in STATUSES]])
    level = SelectField(_l("Level"), default="")
    programme = SelectField(_l("Programme"), default="")
    category = SelectField(_l("Category"), default="")
    overdue = BooleanField(_l("Overdue only"))
    review = BooleanField(_l("National review list"))  # offered to national accounts only
    appeals = BooleanField(_l("Appeals only"))  # grievances on the appeal clock
    q = StringField(_l("Tracking code"), validators=[Optional(), Length(max=40)])


class NoteForm(FlaskForm):
    """Actions that take an optional note (acknowledge, start, resume, close, appeal)."""

    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])


class ReasonForm(FlaskForm):
    """Actions whose note is the reason or question the service requires."""

    note = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"required": True})


class RequestInfoForm(FlaskForm):
    note = TextAreaField(_l("What information is needed?"), validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"required": True})


class RejectForm(FlaskForm):
    # The service checks the code; the select offers the contract's reasons in the reader's language.
    reason_code = SelectField(_l("Why is it rejected?"), validate_choice=False,
                              choices=[("", _l("Choose a reason")),
                                       *[(r, labels.REJECT_REASON[r]) for r in REJECT_REASONS]],
                              render_kw={"required": True})
    note = TextAreaField(_l("Reason, as the complainant will read it"), validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"required": True})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The reasons this deployment offers (GRS_REJECT_REASONS), in its order.
        offered = reject_reasons(current_app.config)
        self.reason_code.choices = [("", _l("Choose a reason")), *[(r, labels.REJECT_REASON[r]) for r in offered]]


class ResolveForm(FlaskForm):
    # Nothing chosen until the officer chooses: a decision the complainant reads is never a default.
    decision = SelectField(_l("Decision"), choices=[("", _l("Choose the decision")),
                                                     *[(d, labels.DECISION[d]) for d in DECISIONS]],
                           validate_choice=False, render_kw={"required": True})
    resolution = TextAreaField(_l("Resolution, as the complainant will read it"),
                               validators=[Optional(), Length(max=MAX_DESCRIPTION)],
                               render_kw={"required": True})


class TransferForm(FlaskForm):
    # The list offers the offices the service accepts (services.actions.transfer_targets, the first 300);
    # a posted office outside it is refused by the service, shown on this field.
    office = SelectField(_l("To office"), validate_choice=False)
    note = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"required": True})


class ReclassifyForm(FlaskForm):
    # The active categories but the grievance's own (views._action_form); the service checks the code again and
    # moves the case when the new category starts higher or is sensitive.
    category = SelectField(_l("New category"), validate_choice=False, render_kw={"required": True})
    note = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"required": True})


class PlaceForm(FlaskForm):
    area = StringField(_l("Area code"), validators=[Optional(), Length(max=40)], render_kw={"required": True})
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])


class FeedbackForm(FlaskForm):
    satisfied = RadioField(_l("Is the complainant satisfied?"), validate_choice=False,
                           choices=[("yes", _l("Yes, satisfied")), ("no", _l("No, not satisfied (opens an appeal)"))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])


ACTION_FORMS: dict[str, type[FlaskForm]] = {
    "place": PlaceForm,
    "acknowledge": NoteForm,
    "start": NoteForm,
    "request_info": RequestInfoForm,
    "resume": NoteForm,
    "extend": ReasonForm,
    "resolve": ResolveForm,
    "reject": RejectForm,
    "transfer": TransferForm,
    "escalate": ReasonForm,
    "appeal": NoteForm,
    "feedback": FeedbackForm,
    "close": NoteForm,
    "reclassify": ReclassifyForm,
}
