"""Export the contact list's current filter as CSV or XLSX, through the one export writer."""

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.training import TrainingRequired, require_current_training
from contacts.models import ContactPoint, ContactPointKind
from contacts.selectors import contact_list
from contacts.services.exports import contact_export_record
from contacts.views.common import require_perm
from core import exports

# Only these filter parameters are recorded with the export (never free text in clear).
RECORDED_FILTERS = ("lifecycle_stage", "tag", "risk", "owner", "flag", "review_overdue", "sort")


def _primary(kind: str):
    return Subquery(
        ContactPoint.objects.filter(contact=OuterRef("pk"), kind=kind, is_primary=True).values(
            "normalized"
        )[:1]
    )


def contact_export_view(request):
    require_perm(request.user, "contacts.export_contact")
    try:
        require_current_training(request.user)
    except TrainingRequired as error:
        messages.error(request, error.message)
        return redirect(f"{_list_url()}?{request.GET.urlencode()}")
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    filterset, contacts = contact_list(user=request.user, filters=request.GET)
    if not filterset.is_valid():
        contacts = contacts.none()
    exported_ids: list[int] = []
    values = (
        contacts.annotate(
            email=_primary(ContactPointKind.EMAIL), phone=_primary(ContactPointKind.PHONE)
        )
        .values_list(
            "pk",
            "display_name",
            "name_zh",
            "family_name",
            "given_name",
            "lifecycle_stage",
            "risk_level",
            "owner__username",
            "email",
            "phone",
            "next_review_due",
        )
        .iterator(chunk_size=2000)
    )

    def rows():
        for row in values:
            exported_ids.append(row[0])
            yield row

    headers = [
        _("Number"),
        _("Name"),
        _("Chinese name"),
        _("Family name"),
        _("Given name"),
        _("Lifecycle stage"),
        _("Risk profile"),
        _("Relationship manager"),
        _("Email"),
        _("Phone"),
        _("Next review due"),
    ]
    content, content_type, extension = exports.write(fmt, headers, rows(), title=_("Contacts"))
    contact_export_record(
        actor=request.user,
        fmt=fmt,
        contact_ids=exported_ids,
        filters={k: request.GET.get(k) for k in RECORDED_FILTERS if request.GET.get(k)},
        searched=bool(request.GET.get("q")),
    )
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="contacts-{stamp}.{extension}"'
    return response


def _list_url() -> str:
    from django.urls import reverse

    return reverse("contacts:list")
