"""Forms for data-subject requests: intake (the DPO's console and the RM's contact page)
and the workflow steps. They validate what was typed; ``services`` decide and save."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from compliance.erasure.forms import ErasureConfirmForm
from compliance.models import IdentityMethod, RequestChannel
from compliance.requests.clock import RequestType
from compliance.requests.services import MAX_TEXT
from core.widgets import DateInput, DateTimeInput


class RequestIntakeForm(forms.Form):
    """A request taken on the client's behalf (the contact is the page's)."""

    request_type = forms.ChoiceField(label=_("Type of request"), choices=RequestType.choices)
    channel = forms.ChoiceField(
        label=_("Received by"), choices=RequestChannel.choices, initial=RequestChannel.BRANCH
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty for now. The deadline counts from this day."),
    )
    description = forms.CharField(
        label=_("What the person asked"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "request_%s")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
    )


class VerifyIdentityForm(forms.Form):
    method = forms.ChoiceField(label=_("How identity was verified"), choices=IdentityMethod.choices)
    evidence = forms.CharField(
        label=_("Evidence seen"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The document, call-back or record checked, and what matched."),
    )


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The requester must be told it within the first period."),
    )
    new_due_on = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the longest extension the law allows."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmptyForm(forms.Form):
    """A step that needs nothing typed (acknowledge, start, complete, build the package)."""


class ObjectionCompleteForm(forms.Form):
    """Completing an objection: to direct marketing, it stops all marketing at once."""

    stop_marketing = forms.BooleanField(
        label=_("Stop all marketing to this person"),
        required=False,
        help_text=_(
            "For an objection to direct marketing: every marketing purpose is withdrawn on "
            "every channel. Leave unticked for an objection answered by hand."
        ),
    )


class RequestErasureConfirmForm(ErasureConfirmForm):
    """The erasure confirmation on the request's workflow page: the request is known, so
    it is not asked for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["request_id"]
