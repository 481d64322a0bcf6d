"""The DPO's erasure confirmation: the reason, the request, and the contact's number typed
again, with the fingerprint of the plan that was previewed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ErasureConfirmForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Why, e.g. the request's number. No names."),
    )
    request_id = forms.CharField(label=_("Data-subject request"), max_length=64, required=False)
    confirmation = forms.CharField(
        label=_("Type the contact's number to confirm"),
        max_length=20,
        help_text=_("Erasure cannot be undone."),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, contact_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contact_id = contact_id

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip()
        if typed != str(self.contact_id):
            raise ValidationError(_("Type the contact's number exactly to confirm the erasure."))
        return typed
