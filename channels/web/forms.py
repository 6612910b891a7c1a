"""The citizen lodge form: it checks shape only; the grievance service checks the rules."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from grs.services import MAX_DESCRIPTION

# Extension → the content type the service expects; the service then checks the file's magic bytes.
UPLOAD_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def _within_size_limit(form, field) -> None:
    """Refuse a file over the public forms' limit (PUBLIC_MAX_UPLOAD_BYTES, lower than staff's: anyone can
    send these); request bodies over MAX_CONTENT_LENGTH never get here: they are a 413."""
    f = field.data
    if not f or not getattr(f, "filename", ""):
        return
    limit = min(current_app.config.get("PUBLIC_MAX_UPLOAD_BYTES") or current_app.config["MAX_CONTENT_LENGTH"],
                current_app.config["MAX_CONTENT_LENGTH"])
    f.stream.seek(0, 2)
    size = f.stream.tell()
    f.stream.seek(0)
    if size > limit:
        raise ValidationError(_l("Attach a file of at most %(mb)s MB.", mb=max(1, limit // 1048576)))


class LodgeForm(FlaskForm):
    """Programme, category, description, the optional contact and attachment; the area is picked apart."""

    # A fresh value per form shown (as on the operator's form): the same form sent twice, by a double click
    # or a resent POST, lodges one grievance.
    token = HiddenField(validators=[Optional(), Length(max=64)])  # a uuid4 hex; part of source_ref (120)
    programme = SelectField(_l("Programme"), validators=[DataRequired(_l("Choose a programme."))])
    category = SelectField(_l("What is the problem?"), validators=[DataRequired(_l("Choose what the problem is."))])
    description = TextAreaField(
        _l("Describe the complaint"),
        validators=[DataRequired(_l("Describe the complaint.")),
                    Length(max=MAX_DESCRIPTION, message=_l("Keep the description under %(max)d characters."))])
    area_unknown = BooleanField(_l("I do not know the exact area"))
    attachment = FileField(_l("Attach a photo or document (optional)"), validators=[
        Optional(), FileAllowed(list(UPLOAD_TYPES), _l("Attach a JPEG, PNG or PDF file.")), _within_size_limit])
    anonymous = BooleanField(_l("Stay anonymous"))
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200, message=_l("Name is too long."))])
    phone = StringField(_l("Mobile phone number"),
                        validators=[Optional(), Length(max=30, message=_l("Enter a valid phone number."))])
    sex = SelectField(_l("Sex"), validators=[Optional()])
    age_band = SelectField(_l("Age"), validators=[Optional()])
    disability = SelectField(_l("Do you have a disability?"), validators=[Optional()])

    def fill_choices(self, programmes, categories) -> None:
        """Set the choices that come from the database or need the current language."""
        self.programme.choices = [("", _l("Choose a programme"))] + programmes
        self.category.choices = [("", _l("Choose the kind of problem"))] + categories
        self.sex.choices = [("", _l("Prefer not to say")), ("female", _l("Female")), ("male", _l("Male")),
                            ("other", _l("Other"))]
        self.age_band.choices = [("", _l("Prefer not to say")), ("under_18", _l("Under 18")),
                                 ("18_34", _l("18 to 34")), ("35_59", _l("35 to 59")),
                                 ("60_plus", _l("60 or older"))]
        self.disability.choices = [("", _l("Prefer not to say")), ("yes", _l("Yes")), ("no", _l("No"))]

    def attachment_type(self) -> str | None:
        f = self.attachment.data
        if not f or not getattr(f, "filename", ""):
            return None
        return UPLOAD_TYPES.get(f.filename.rsplit(".", 1)[-1].lower())


class InfoReplyForm(FlaskForm):
    """The complainant's answer to an information request on the track page (with the lodge form's
    attachment checks); proved by the last 4 digits of the phone they gave, when they gave one."""

    phone_last4 = StringField(_l("Last 4 digits of the phone number you gave"),
                              validators=[Optional(), Length(max=8)],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    text = TextAreaField(_l("Your answer"), validators=[
        DataRequired(_l("Write the information the office asked for.")),
        Length(max=MAX_DESCRIPTION, message=_l("Keep the description under %(max)d characters."))])
    attachment = FileField(_l("Attach a photo or document (optional)"),
                           validators=LodgeForm.attachment.kwargs["validators"])

    attachment_type = LodgeForm.attachment_type


class AppealForm(FlaskForm):
    """The complainant asks for an appeal on the track page: proved by the last 4 digits of the phone they gave."""

    phone_last4 = StringField(_l("Last 4 digits of the phone number you gave"),
                              validators=[Optional(), Length(max=8)], render_kw={"inputmode": "numeric",
                                                                               "autocomplete": "off"})
    note = TextAreaField(_l("Why are you appealing? (optional)"), validators=[Optional(), Length(max=1000)])
