"""Book hand-over and time-limited cover (team leads and administrators)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.forms import CoverForm, HandOverForm, apply_errors
from contacts.models import BookCover
from contacts.services.books import book_cover_grant, book_reassign
from contacts.views.common import require_perm
from core import roles


def _books_for(user):
    """The RMs whose books ``user`` may hand over: their team's, or everyone's for admins."""
    rms = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.RELATIONSHIP_MANAGER)
        .order_by("username")
    )
    if roles.has_role(user, roles.ADMINISTRATOR):
        return rms
    return rms.filter(team__lead=user)


def _all_rms():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.RELATIONSHIP_MANAGER)
        .order_by("username")
    )


def book_handover_view(request):
    require_perm(request.user, "contacts.reassign_contact")
    form = HandOverForm(request.POST or None)
    form.fields["owner"].queryset = _books_for(request.user)
    form.fields["new_owner"].queryset = _all_rms()
    if request.method == "POST" and form.is_valid():
        try:
            count = book_reassign(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError):
                apply_errors(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext("%(count)d contact handed over.", "%(count)d contacts handed over.", count)
                % {"count": count},
            )
            return redirect("contacts:handover")
    return render(
        request,
        "contacts/handover.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


def book_cover_view(request):
    require_perm(request.user, "contacts.add_bookcover")
    form = CoverForm(request.POST or None)
    form.fields["owner"].queryset = _books_for(request.user)
    form.fields["covered_by"].queryset = _all_rms()
    if request.method == "POST" and form.is_valid():
        try:
            book_cover_grant(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError):
                apply_errors(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, _("Cover arranged."))
            return redirect("contacts:cover")
    covers = (
        BookCover.objects.filter(owner__in=_books_for(request.user))
        .select_related("owner", "covered_by", "granted_by")
        .order_by("-ends_on")[:50]
    )
    return render(
        request,
        "contacts/cover.html",
        {"form": form, "covers": covers},
        status=422 if form.errors else 200,
    )
