"""Forms of the accountability pages. They check shape (lengths, number formats, choices offered); the
rules — sums that must add up, dates in order, scores on the scale, who may record — are the service's,
reported back on the fields they name."""
from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from grs.models import AGE_BANDS

from . import labels
from .models import ACTIVITY_STATUSES, AWARENESS_TYPES, FINDING_TYPES, FORUM_TIERS, GROUP_KINDS, ITEM_STATUSES, \
    MEMBER_ROLES

_count = dict(validators=[Optional(), NumberRange(min=0, max=10_000_000)], render_kw={"inputmode": "numeric"})
# Amounts are in the country pack's currency, named in the reader's language when the label is shown.
_CURRENCY = LazyString(lambda: __import__("grs.i18n", fromlist=["currency_name"]).currency_name())
_money = dict(validators=[Optional(), NumberRange(min=0, max=10**12)], render_kw={"inputmode": "numeric"})


def _choices(table: dict, codes, blank=None):
    out = [(c, table[c]) for c in codes]
    return [("", blank), *out] if blank is not None else out


class ForumForm(FlaskForm):
    name = StringField(_l("Name of the forum"), validators=[Length(max=200)])
    tier = SelectField(_l("Tier"), validate_choice=False, choices=_choices(labels.FORUM_TIER, FORUM_TIERS))
    ngo = StringField(_l("NGO that runs it"), validators=[Length(max=200)])
    area = SelectField(_l("Area it works in"), validate_choice=False)


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(_l("Role"), validate_choice=False, choices=_choices(labels.MEMBER_ROLE, MEMBER_ROLES))
    sex = SelectField(_l("Sex"), validate_choice=False, choices=[("", _l("Not given")), ("female", _l("Female")), ("male", _l("Male")),
                                          ("other", _l("Other"))])
    organisation = StringField(_l("Organisation (optional)"), validators=[Optional(), Length(max=200)])
    user_email = StringField(_l("Account e-mail, for a facilitator who records"),
                             validators=[Optional(), Length(max=200)])


class ActivityForm(FlaskForm):
    """The common facts of every activity; `kind_fields` says which of the rest a kind shows."""

    forum = SelectField(_l("Forum"), coerce=int, validate_choice=False)
    area = SelectField(_l("Area"), validate_choice=False)
    programme = SelectField(_l("Programme"), validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=200)])
    held_on = DateField(_l("Date held"), validators=[Optional()], render_kw={"type": "date"})
    period_from = DateField(_l("Period covered: from"), validators=[Optional()], render_kw={"type": "date"})
    period_to = DateField(_l("Period covered: to"), validators=[Optional()], render_kw={"type": "date"})
    status = SelectField(_l("Status"), validate_choice=False, default="completed", choices=_choices(labels.ACTIVITY_STATUS, ACTIVITY_STATUSES))
    women = IntegerField(_l("Women"), **_count)
    men = IntegerField(_l("Men"), **_count)
    other_sex = IntegerField(_l("Other"), **_count)
    total = IntegerField(_l("Total"), **_count)
    service_point = StringField(_l("Service point (optional)"), validators=[Optional(), Length(max=200)])
    scale_min = IntegerField(_l("Lowest score"), default=1, validators=[Optional(), NumberRange(0, 10)])
    scale_max = IntegerField(_l("Highest score"), default=5, validators=[Optional(), NumberRange(0, 10)])
    interface_attendees = TextAreaField(_l("Who attended the interface meeting"),
                                        validators=[Optional(), Length(max=4000)])
    panel = TextAreaField(_l("Panel"), validators=[Optional(), Length(max=4000)])
    records_examined = TextAreaField(_l("Records examined"), validators=[Optional(), Length(max=4000)])
    checked = IntegerField(_l("Beneficiaries checked door to door"), **_count)
    found = IntegerField(_l("Found"), **_count)
    not_found = IntegerField(_l("Not found"), **_count)
    ineligible = IntegerField(_l("Found but not eligible"), **_count)
    amount_due = IntegerField(_l("Amount due (%(currency)s)", currency=_CURRENCY), **_money)
    amount_paid = IntegerField(_l("Amount paid (%(currency)s)", currency=_CURRENCY), **_money)
    event_type = SelectField(_l("Type of event"), validate_choice=False, choices=_choices(labels.AWARENESS_TYPE, AWARENESS_TYPES,
                                                                   _l("Choose one")))
    notes = TextAreaField(_l("Notes (optional)"), validators=[Optional(), Length(max=4000)])

    ATTENDANCE = ("women", "men", "other_sex", "total")
    KIND_FIELDS = {
        "scorecard": ("programme", "service_point", "scale_min", "scale_max", "interface_attendees", *ATTENDANCE),
        "audit": ("programme", "period_from", "period_to", "records_examined", "checked", "found", "not_found",
                  "ineligible", "amount_due", "amount_paid", *ATTENDANCE),
        "hearing": ("programme", "panel", *ATTENDANCE),
        "dialogue": ("programme", "panel", *ATTENDANCE),
        "awareness": ("programme", "event_type", *ATTENDANCE),
        "report_card": ("programme", "period_from", "period_to"),
    }


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[Length(max=120)])
    kind = SelectField(_l("Who is in it"), validate_choice=False, choices=_choices(labels.GROUP_KIND, GROUP_KINDS))
    women = IntegerField(_l("Women"), default=0, **_count)
    men = IntegerField(_l("Men"), default=0, **_count)
    other_sex = IntegerField(_l("Other"), default=0, **_count)
    with_disability = IntegerField(_l("Of them, people with a disability"), default=0, **_count)
    age_band = SelectField(_l("Age band (optional)"), validate_choice=False, choices=[
        ("", _l("Mixed ages")), *[(a, a.replace("_", "–").replace("–plus", "+")) for a in AGE_BANDS]])


class InputForm(FlaskForm):
    item = StringField(_l("What is tracked (e.g. allowance per month)"), validators=[Length(max=200)])
    entitlement = StringField(_l("Entitlement"), validators=[Length(max=200)])
    actual = StringField(_l("What actually happens"), validators=[Length(max=200)])
    remarks = TextAreaField(_l("Remarks (optional)"), validators=[Optional(), Length(max=4000)])


class IndicatorForm(FlaskForm):
    library = SelectField(_l("From the programme's list"), validate_choice=False)
    own = StringField(_l("Or the cycle's own indicator"), validators=[Optional(), Length(max=300)])


class TeamForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = StringField(_l("Role (optional)"), validators=[Optional(), Length(max=60)])
    resident_area = SelectField(_l("Where they live"), validate_choice=False)


class ItemForm(FlaskForm):
    kind = SelectField(_l("Kind"), validate_choice=False)
    title = StringField(_l("What it is"), validators=[Length(max=300)])
    description = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=4000)])
    action = TextAreaField(_l("Action to take"), validators=[Optional(), Length(max=4000)])
    responsible = StringField(_l("Who acts"), validators=[Optional(), Length(max=200)])
    due_on = DateField(_l("By when"), validators=[Optional()], render_kw={"type": "date"})
    status = SelectField(_l("Status"), validate_choice=False, default="open", choices=_choices(labels.ITEM_STATUS, ITEM_STATUSES))
    finding_type = SelectField(_l("Type of finding"), validate_choice=False, choices=_choices(labels.FINDING_TYPE, FINDING_TYPES,
                                                                       _l("Choose one")))
    amount = IntegerField(_l("Money involved (%(currency)s, optional)", currency=_CURRENCY), **_money)
    results = TextAreaField(_l("Answers and how many gave each, one per line (e.g. Yes: 32)"),
                            validators=[Optional(), Length(max=4000)])


class FollowUpForm(FlaskForm):
    on = DateField(_l("Date"), validators=[Optional()], render_kw={"type": "date"})
    note = TextAreaField(_l("What was found"), validators=[Optional(), Length(max=4000)])
    status = SelectField(_l("Status now"), validate_choice=False, choices=_choices(labels.ITEM_STATUS, ITEM_STATUSES))


class LodgeForm(FlaskForm):
    category = SelectField(_l("Category"), validate_choice=False)
    programme = SelectField(_l("Programme"), validate_choice=False)
    description = TextAreaField(_l("Description (leave empty to use the record's words)"),
                                validators=[Optional(), Length(max=4000)])


class OversightFilters(FlaskForm):
    class Meta:
        csrf = False

    programme = SelectField(_l("Programme"), validate_choice=False, default="")
    area = SelectField(_l("Area"), validate_choice=False, default="")
