from django import forms
from django.utils.translation import gettext_lazy as _

from dataquality.models import ListImport

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ListImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=ListImport.Kind.choices)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 (with or without BOM) or Big5. Bounce list: a column “email”. Deceased "
            "list: “national_id”, or “name” and “date_of_birth” (YYYY-MM-DD); optional "
            "“country” and “date_of_death”."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class CandidateDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm deceased")), ("reject", _("Not the same person"))]
    )
