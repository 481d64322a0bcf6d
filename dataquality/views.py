"""The data-quality screens: the dashboard, my review tasks, the contact page's panel, list
imports and the review of possible deceased matches."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance import audit
from contacts.models import Contact
from contacts.selectors import contact_get
from dataquality import selectors
from dataquality.forms import CandidateDecisionForm, ListImportForm
from dataquality.models import DeceasedCandidate, ListImport
from dataquality.services.imports import (
    bounce_list_import,
    deceased_candidate_decide,
    deceased_list_import,
)
from dataquality.services.tasks import review_task_complete


@permission_required("dataquality.view_qualityissue", raise_exception=True)
def dashboard_view(request):
    return render(request, "dataquality/dashboard.html", selectors.dashboard(user=request.user))


@permission_required("dataquality.view_reviewtask", raise_exception=True)
def task_list_view(request):
    tasks = list(selectors.my_tasks(user=request.user)[:500])
    today = timezone.localdate()
    for task in tasks:
        task.label = selectors.rule_label(task.rule)
        task.overdue = task.due_on < today
    return render(request, "dataquality/tasks.html", {"tasks": tasks})


@require_POST
@permission_required("dataquality.change_reviewtask", raise_exception=True)
def task_complete_view(request, pk: int):
    task = selectors.my_tasks(user=request.user).filter(pk=pk).first()
    if task is None:
        audit.access_denied(
            actor=request.user,
            object_type="dataquality.ReviewTask",
            object_id=str(pk),
            reason="not_in_book",
        )
        raise Http404
    try:
        review_task_complete(actor=request.user, task=task)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, _("Task marked done."))
    return redirect("dataquality:tasks")


@permission_required("dataquality.view_qualityissue", raise_exception=True)
def contact_quality_view(request, pk: int):
    """The contact page's data-quality panel (loaded over htmx; works as a page too)."""
    contact = contact_get(user=request.user, pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    context = {"contact": contact, **selectors.contact_quality(contact=contact)}
    if request.htmx:
        # Loaded by the contact page, whose view audited the visit.
        return render(request, "dataquality/partials/_contact_quality.html", context)
    audit.contact_viewed(actor=request.user, contact=contact)
    return render(request, "dataquality/contact_quality.html", context)


@permission_required("dataquality.add_listimport", raise_exception=True)
def list_import_view(request):
    report = None
    form = ListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        service = (
            bounce_list_import
            if form.cleaned_data["kind"] == ListImport.Kind.BOUNCES
            else deceased_list_import
        )
        try:
            report = service(actor=request.user, data=form.cleaned_data["file"].read())
        except ValidationError as error:
            form.add_error("file", error)
    recent = ListImport.objects.select_related("imported_by")[:20]
    return render(
        request,
        "dataquality/imports.html",
        {"form": form, "report": report, "recent": recent},
        status=422 if request.method == "POST" and form.errors else 200,
    )


@permission_required("dataquality.change_deceasedcandidate", raise_exception=True)
def candidate_list_view(request):
    candidates = (
        DeceasedCandidate.objects.filter(
            status=DeceasedCandidate.Status.PENDING,
            contact_id__in=Contact.objects.visible_to(request.user).values("pk"),
        )
        .select_related("contact", "list_import")
        .order_by("id")[:200]
    )
    return render(
        request,
        "dataquality/candidates.html",
        {"candidates": candidates, "form": CandidateDecisionForm()},
    )


@require_POST
@permission_required("dataquality.change_deceasedcandidate", raise_exception=True)
def candidate_decide_view(request, pk: int):
    candidate = get_object_or_404(
        DeceasedCandidate.objects.filter(
            contact_id__in=Contact.objects.visible_to(request.user).values("pk")
        ),
        pk=pk,
    )
    form = CandidateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or reject."))
        return redirect("dataquality:candidates")
    try:
        deceased_candidate_decide(
            actor=request.user,
            candidate=candidate,
            confirm=form.cleaned_data["decision"] == "confirm",
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("dataquality:candidates")
