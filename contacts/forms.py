"""Forms validate what was typed; services decide and save. A service's ValidationError is put
back on the form by ``apply_errors``."""

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.countries import country_choices
from contacts.models import (
    AccountKind,
    Contact,
    ContactPointKind,
    InteractionChannel,
    Organisation,
    RelationshipKind,
    RiskLevel,
    Tag,
)
from contacts.services.contacts import EDITABLE_FIELDS, snapshot
from core.widgets import DateInput

SEEN_SALT = "contacts.ContactForm.seen"
# Free text is for a note, not a document: a pasted file is refused with a clear message.
MAX_FREE_TEXT = 5000


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ContactForm(forms.ModelForm):
    """The contact's own fields. ``version`` travels with the form so a stale edit is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=MAX_FREE_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # What the user saw when the form opened, signed so it cannot be forged; on a stale
    # edit it tells exactly which fields the other person changed.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    national_id_country = forms.ChoiceField(label=_("National ID issued by"), required=False)
    country_of_residence = forms.ChoiceField(label=_("Country of residence"))

    class Meta:
        model = Contact
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "relationship_started_on": DateInput(),
            "relationship_ended_on": DateInput(),
            "deceased_on": DateInput(),
            "last_reviewed_on": DateInput(),
            "next_review_due": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "national_id": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, hide_notes: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if hide_notes:
            # Restricted notes the user may not read never reach their browser.
            del self.fields["notes"]
        countries = country_choices()
        self.fields["national_id_country"].choices = [("", "—"), *countries]
        self.fields["country_of_residence"].choices = countries
        if not self.instance.pk:
            self.fields["country_of_residence"].initial = "TW"
            self.fields["national_id_country"].initial = "TW"
        else:
            self.fields["version"].initial = self.instance.version
            self.fields["seen"].initial = signing.dumps(snapshot(self.instance), salt=SEEN_SALT)
            # The national ID is never sent back to the browser in clear.
            self.initial["national_id"] = ""
            self.fields["national_id"].help_text = _(
                "On file: %(masked)s. Leave blank to keep it; type a new one to replace it."
            ) % {"masked": self.instance.national_id_masked or "—"}
        self.fields["acquisition_source"].required = False

    def _post_clean(self):
        # Validation of the model happens in the service, once, for every path.
        pass

    def service_values(self) -> dict:
        values = {
            name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS if name in self.fields
        }
        if self.instance.pk and not values.get("national_id"):
            del values["national_id"]
        return values

    def seen_values(self) -> dict[str, str] | None:
        try:
            return signing.loads(self.cleaned_data.get("seen") or "", salt=SEEN_SALT)
        except signing.BadSignature:
            return None


class ContactPointForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactPointKind.choices)
    value = forms.CharField(label=_("Value"), max_length=500)
    label = forms.CharField(label=_("Label"), max_length=40, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]


class RiskAssessmentForm(forms.Form):
    level = forms.ChoiceField(label=_("Risk profile"), choices=RiskLevel.choices)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    is_professional_investor = forms.BooleanField(label=_("Professional investor"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["assessed_on"].initial = today
        self.fields["valid_until"].initial = today.replace(year=today.year + 1)


class EmploymentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name")
    )
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DateInput())
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DateInput())


class EndEmploymentForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())


class InteractionEditForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), max_length=MAX_FREE_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=InteractionChannel.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=MAX_FREE_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class TagAssignForm(forms.Form):
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.filter(is_active=True, parent__isnull=False),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].label_from_instance = lambda t: "\u2003" * (t.depth - 1) + t.label


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relationship"), choices=RelationshipKind.choices)
    to_contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())

    def __init__(self, *args, visible=None, **kwargs):
        # Its own ids: the contact-point form on the same page has a "kind" too.
        kwargs.setdefault("auto_id", "relationship_%s")
        super().__init__(*args, **kwargs)
        # Only contacts the user can see can be linked; the id comes from the search box.
        if visible is not None:
            self.fields["to_contact"].queryset = visible
        self.fields["to_contact"].widget = forms.NumberInput(
            attrs={"placeholder": _("Contact number")}
        )


class BulkActionForm(forms.Form):
    ASSIGN_TAG = "assign_tag"
    REASSIGN = "reassign"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[(ASSIGN_TAG, _("Assign tag")), (REASSIGN, _("Reassign to RM"))],
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.filter(is_active=True, parent__isnull=False),
        required=False,
    )
    new_owner = forms.ModelChoiceField(
        label=_("New relationship manager"), queryset=None, required=False
    )

    def __init__(self, *args, owners=None, **kwargs):
        # Its own ids: the filter form on the same page has a "tag" too.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = owners
        self.fields["tag"].label_from_instance = lambda t: "\u2003" * (t.depth - 1) + t.label

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ASSIGN_TAG and not data.get("tag"):
            self.add_error("tag", _("Choose the tag to assign."))
        if data.get("action") == self.REASSIGN and not data.get("new_owner"):
            self.add_error("new_owner", _("Choose the relationship manager."))
        return data


class HandOverForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Book of"), queryset=None)
    new_owner = forms.ModelChoiceField(label=_("Hand over to"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CoverForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Book of"), queryset=None)
    covered_by = forms.ModelChoiceField(label=_("Covered by"), queryset=None)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see the full value?"),
        min_length=10,
        max_length=300,
        help_text=_("Recorded in the audit log with your name."),
    )


class AccountForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AccountKind.choices)
    number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    institution = forms.CharField(label=_("Institution"), max_length=100, required=False)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        # Its "kind" must not share an element id with the contact-point form's.
        kwargs.setdefault("auto_id", "account_%s")
        super().__init__(*args, **kwargs)


class ReviewApproveForm(forms.Form):
    """The contact's version the reviewer's diff showed, so approval applies what was seen."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person who entered it sees this."),
    )


MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ContactImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 or Big5 (as Excel saves it). The first line names the columns, e.g. "
            "family_name, given_name, name_zh, date_of_birth, lifecycle_stage, "
            "acquisition_source."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 20 MB; split it."))
        return upload
