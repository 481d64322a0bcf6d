"""Four-eyes review: the reviewer's queue, one entry's diff with approve and reject, a
batch with its row report and sample, and the proposer's own entries."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import review_selectors
from contacts.forms import ContactImportForm, ReviewApproveForm, ReviewRejectForm, apply_errors
from contacts.imports import ImportFileError, read_rows
from contacts.models import PendingChange, ReviewBatch
from contacts.services import review
from contacts.views.common import require_perm

REVIEW_PERM = "contacts.review_pendingchange"


def review_queue_view(request):
    require_perm(request.user, REVIEW_PERM)
    context = review_selectors.review_queue(user=request.user)
    return render(request, "contacts/review_queue.html", context)


def _change_page(request, change, *, reject_form=None, status=200):
    contact = change.contact
    context = {
        "change": change,
        "rows": review_selectors.change_diff(change) if contact else [],
        "stale": review_selectors.is_stale(change),
        "own": change.proposed_by_id == request.user.pk,
        "approve_form": ReviewApproveForm(
            initial={"seen_version": contact.version if contact else None}
        ),
        "reject_form": reject_form or ReviewRejectForm(),
    }
    return render(request, "contacts/review_change.html", context, status=status)


def review_change_view(request, change_pk):
    require_perm(request.user, REVIEW_PERM)
    change = get_object_or_404(
        PendingChange.objects.select_related("contact", "proposed_by"), pk=change_pk
    )
    return _change_page(request, change)


@require_POST
def review_approve_view(request, change_pk):
    require_perm(request.user, REVIEW_PERM)
    change = get_object_or_404(PendingChange, pk=change_pk)
    form = ReviewApproveForm(request.POST)
    form.is_valid()
    try:
        review.change_approve(
            actor=request.user,
            change=change,
            seen_version=form.cleaned_data.get("seen_version"),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("contacts:review_change", change_pk=change.pk)
    messages.success(request, _("Approved and applied."))
    return redirect("contacts:review_queue")


@require_POST
def review_reject_view(request, change_pk):
    require_perm(request.user, REVIEW_PERM)
    change = get_object_or_404(
        PendingChange.objects.select_related("contact", "proposed_by"), pk=change_pk
    )
    form = ReviewRejectForm(request.POST)
    if form.is_valid():
        try:
            review.change_reject(
                actor=request.user, change=change, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Rejected. The person who entered it will see why."))
            return redirect("contacts:review_queue")
    change.refresh_from_db()
    return _change_page(request, change, reject_form=form, status=422)


def _batch_page(request, batch, *, reject_form=None, status=200):
    context = {
        "batch": batch,
        "sample": review.review_batch_sample(batch) if batch.status == "pending" else [],
        "errors": review.review_batch_errors(batch) if batch.status == "pending" else [],
        "own": batch.proposed_by_id == request.user.pk,
        "reject_form": reject_form or ReviewRejectForm(),
        "valid_rows": review.review_batch_valid_rows(batch),
    }
    return render(request, "contacts/review_batch.html", context, status=status)


def review_batch_view(request, batch_pk):
    """The batch; while an approved batch is being applied, the progress partial (polled
    by htmx from the same URL)."""
    require_perm(request.user, REVIEW_PERM)
    batch = get_object_or_404(ReviewBatch.objects.select_related("proposed_by"), pk=batch_pk)
    if request.htmx:
        return render(
            request,
            "contacts/partials/_batch_progress.html",
            {"batch": batch, "valid_rows": review.review_batch_valid_rows(batch)},
        )
    return _batch_page(request, batch)


@require_POST
def review_batch_approve_view(request, batch_pk):
    require_perm(request.user, REVIEW_PERM)
    batch = get_object_or_404(ReviewBatch, pk=batch_pk)
    try:
        batch = review.review_batch_approve(actor=request.user, batch=batch)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("contacts:review_batch", batch_pk=batch.pk)
    if batch.applied_at is None:
        messages.success(request, _("Approved. The contacts are being created."))
        return redirect("contacts:review_batch", batch_pk=batch.pk)
    messages.success(
        request, _("Approved: %(count)s contacts created.") % {"count": batch.created_count}
    )
    return redirect("contacts:review_queue")


@require_POST
def review_batch_reject_view(request, batch_pk):
    require_perm(request.user, REVIEW_PERM)
    batch = get_object_or_404(ReviewBatch.objects.select_related("proposed_by"), pk=batch_pk)
    form = ReviewRejectForm(request.POST)
    if form.is_valid():
        try:
            review.review_batch_reject(
                actor=request.user, batch=batch, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Rejected. The person who entered it will see why."))
            return redirect("contacts:review_queue")
    return _batch_page(request, batch, reject_form=form, status=422)


def review_mine_view(request):
    """The proposer's own entries and their outcomes."""
    require_perm(request.user, "contacts.add_contact")
    context = review_selectors.entries_proposed_by(user=request.user)
    return render(request, "contacts/review_mine.html", context)


def contact_import_view(request):
    """An RM uploads a CSV; it becomes one batch for a reviewer, with its row report."""
    require_perm(request.user, "contacts.add_contact")
    form = ContactImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(upload.read())
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            batch = review.review_batch_create(
                actor=request.user, owner=request.user, source_name=upload.name, rows=rows
            )
    context = {
        "form": form,
        "batch": batch,
        "errors": review.review_batch_errors(batch) if batch else [],
    }
    return render(
        request, "contacts/contact_import.html", context, status=422 if form.errors else 200
    )
