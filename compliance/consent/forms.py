"""Forms for recording consent on the contact page. They validate what was typed; the
services in ``compliance.consent.services`` decide and save."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.consent.rules import Channel, LawfulBasis
from compliance.models import ConsentSource, PrivacyNotice, Purpose
from core.widgets import DateInput, DateTimeInput

# What a member of staff may name as the source: imports and Prudence itself record theirs.
STAFF_SOURCES = [(v, label) for v, label in ConsentSource.choices if v not in ("import", "system")]


class ConsentRecordForm(forms.Form):
    """A consent (or another lawful basis) with its evidence."""

    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.filter(is_active=True)
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis"), choices=LawfulBasis.choices, initial=LawfulBasis.CONSENT
    )
    source = forms.ChoiceField(label=_("Source"), choices=STAFF_SOURCES)
    evidence_reference = forms.CharField(
        label=_("Evidence reference"),
        max_length=200,
        help_text=_("The form number, call recording or document that proves it."),
    )
    notice = forms.ModelChoiceField(
        label=_("Privacy notice version"),
        queryset=PrivacyNotice.objects.none(),
        required=False,
        help_text=_("The notice the person was shown. Needed for a consent."),
    )
    occurred_at = forms.DateTimeField(
        label=_("Given at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty for now."),
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if it does not expire."),
    )

    def __init__(self, *args, **kwargs):
        # Element ids of their own: the contact page holds other forms with these fields.
        kwargs.setdefault("auto_id", "consent_%s")
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = PrivacyNotice.objects.filter(
            effective_from__lte=timezone.localdate()
        )

    def service_values(self) -> dict:
        data = self.cleaned_data
        expires_on = data.get("expires_on")
        expires_at = None
        if expires_on:
            # Valid through that whole day.
            next_day = datetime.combine(expires_on + timedelta(days=1), time.min)
            expires_at = timezone.make_aware(next_day)
        return {
            "purpose": data["purpose"],
            "channel": data["channel"],
            "lawful_basis": data["lawful_basis"],
            "source": data["source"],
            "evidence_reference": data["evidence_reference"],
            "notice": data.get("notice"),
            "occurred_at": data.get("occurred_at"),
            "expires_at": expires_at,
        }


class ConsentWithdrawForm(forms.Form):
    """A withdrawal. Evidence is welcome but never required: a withdrawal is honoured at once."""

    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=Purpose.objects.all())
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    source = forms.ChoiceField(label=_("Source"), choices=STAFF_SOURCES)
    evidence_reference = forms.CharField(
        label=_("Evidence reference"), max_length=200, required=False
    )


class MarketingStopAllForm(forms.Form):
    """Stop all marketing: how the person said so."""

    source = forms.ChoiceField(label=_("Source"), choices=STAFF_SOURCES)
    evidence_reference = forms.CharField(
        label=_("Evidence reference"), max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "stop_all_%s")
        super().__init__(*args, **kwargs)
