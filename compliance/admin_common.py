"""Pieces the console's model admins share: typed-in filters and the audited export."""

from collections.abc import Iterable, Sequence

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy

from compliance import audit
from core import exports


class InputFilter(admin.SimpleListFilter):
    """A list filter that takes a typed value (an id) instead of a list of choices."""

    template = "admin/compliance/input_filter.html"

    def lookups(self, request, model_admin):
        return ((None, None),)

    def choices(self, changelist):
        query = changelist.get_filters_params()
        query.pop(self.parameter_name, None)
        yield {"query_parts": [(k, v) for k, vs in query.items() for v in vs]}


class ContactIdFilter(InputFilter):
    title = gettext_lazy("contact id")
    parameter_name = "contact"

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if value.isdigit():
            return queryset.filter(contact_id=int(value))
        return queryset


def export_format(request) -> str:
    fmt = request.GET.get("_export", "csv")
    return fmt if fmt in ("csv", "xlsx") else "csv"


def export_response(
    request,
    *,
    what: str,
    headers: Sequence,
    rows: Iterable[Sequence],
    filters: dict,
    contact_id_column: int | None = None,
) -> HttpResponse:
    """Write ``rows`` through ``core.exports`` and audit the export. When the rows name
    contacts (``contact_id_column``), the audit event lists whose data left."""
    fmt = export_format(request)
    count = 0
    contact_ids: set[int] = set()

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            if contact_id_column is not None and row[contact_id_column] is not None:
                contact_ids.add(int(row[contact_id_column]))
            yield row

    content, content_type, extension = exports.write(
        fmt, [str(h) for h in headers], counted(), title=what
    )
    audit.exported(
        actor=request.user,
        what=what,
        fmt=fmt,
        row_count=count,
        filters=filters,
        searched=False,
        contact_ids=sorted(contact_ids),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{what}.{extension}"'
    return response


def export_filters(request) -> dict:
    return {k: v for k, v in request.GET.items() if k != "_export"}
