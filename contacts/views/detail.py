"""The contact page, its create/edit forms, and the small forms on the page (htmx sections)."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance import audit
from compliance.training import TrainingRequired, require_current_training
from contacts import review_selectors, selectors
from contacts.forms import (
    SEEN_SALT,
    AccountForm,
    ContactForm,
    ContactPointForm,
    EmploymentForm,
    EndEmploymentForm,
    InteractionForm,
    RelationshipForm,
    RevealForm,
    RiskAssessmentForm,
    TagAssignForm,
    apply_errors,
)
from contacts.models import Account, Contact, ContactPoint, Employment, PendingChange, Tag
from contacts.services import details, tags
from contacts.services.contacts import (
    StaleEditError,
    contact_create,
    contact_update,
    snapshot,
)
from contacts.views.common import require_perm
from contacts.views.consent import may_contact_context

# Each section of the contact page: its template, the form class, and its permission.
SECTIONS = {
    "points": ("contacts/partials/_points.html", ContactPointForm, "contacts.add_contactpoint"),
    "risk": ("contacts/partials/_risk.html", RiskAssessmentForm, "contacts.add_riskassessment"),
    "employment": (
        "contacts/partials/_employment.html",
        EmploymentForm,
        "contacts.add_employment",
    ),
    "tags": ("contacts/partials/_tags.html", TagAssignForm, "contacts.add_contacttag"),
    "relationships": (
        "contacts/partials/_relationships.html",
        RelationshipForm,
        "contacts.add_relationship",
    ),
    "timeline": ("contacts/partials/_timeline.html", InteractionForm, "contacts.add_interaction"),
    "accounts": ("contacts/partials/_accounts.html", AccountForm, "contacts.add_account"),
}


def _page_context(request, contact_pk, bound: dict | None = None) -> dict:
    contact = selectors.contact_detail(user=request.user, pk=contact_pk)
    tree = selectors.tag_tree()
    for assignment in contact.tag_assignments.all():
        assignment.tag = tree.get(assignment.tag_id, assignment.tag)
    bound = bound or {}
    visible = Contact.objects.visible_to(request.user)
    forms = {
        "points": ContactPointForm(),
        "risk": RiskAssessmentForm(),
        "employment": EmploymentForm(),
        "tags": TagAssignForm(),
        "relationships": RelationshipForm(visible=visible),
        "timeline": InteractionForm(),
        "accounts": AccountForm(),
    }
    forms.update(bound)
    return {
        **may_contact_context(request.user, contact),
        "contact": contact,
        "forms": forms,
        "end_employment_form": EndEmploymentForm(),
        "can_edit": request.user.has_perm("contacts.change_contact"),
        "can_reveal": request.user.has_perm("contacts.reveal_national_id"),
        "reveal_form": RevealForm(),
        "review_status": review_selectors.contact_review_status(contact),
    }


def contact_detail_view(request, pk):
    require_perm(request.user, "contacts.view_contact")
    context = _page_context(request, pk)
    audit.contact_viewed(actor=request.user, contact=context["contact"])
    return render(request, "contacts/contact_detail.html", context)


def _section_response(request, pk, section: str, form=None, status: int = 200):
    """After a section's form: the section alone for htmx, else back to the page."""
    bound = {section: form} if form is not None else {}
    if request.htmx:
        context = _page_context(request, pk, bound)
        return render(request, SECTIONS[section][0], context, status=status)
    if form is not None and form.errors:
        context = _page_context(request, pk, bound)
        return render(request, "contacts/contact_detail.html", context, status=status)
    return redirect("contacts:detail", pk=pk)


def _run(request, pk, section, form, action):
    """Validate the form, run the service, and answer with the refreshed section."""
    if not form.is_valid():
        return _section_response(request, pk, section, form, status=422)
    try:
        result = action(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return _section_response(request, pk, section, form, status=422)
    if isinstance(result, PendingChange):
        return _held_response(request, pk)
    return _section_response(request, pk, section)


def _held_response(request, pk):
    """The entry waits for a reviewer: say so on the whole page (not only the section)."""
    messages.info(request, _("Saved for review: a reviewer must approve it before it applies."))
    response = redirect("contacts:detail", pk=pk)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("contacts:detail", args=[pk])
    return response


@require_POST
def contact_section_add_view(request, pk, section):
    if section not in SECTIONS:
        return redirect("contacts:detail", pk=pk)
    _, form_class, perm = SECTIONS[section]
    require_perm(request.user, perm)
    contact = selectors.contact_get(user=request.user, pk=pk)
    user = request.user
    if section == "relationships":
        form = RelationshipForm(request.POST, visible=Contact.objects.visible_to(user))
    else:
        form = form_class(request.POST)

    actions = {
        "points": lambda d: details.contact_point_add(actor=user, contact=contact, **d),
        "risk": lambda d: details.risk_assessment_record(actor=user, contact=contact, **d),
        "employment": lambda d: details.employment_add(actor=user, contact=contact, **d),
        "tags": lambda d: tags.tags_assign(actor=user, contacts=[contact], tags=[d["tag"]]),
        "relationships": lambda d: details.relationship_add(
            actor=user, from_contact=contact, to_contact=d["to_contact"], kind=d["kind"]
        ),
        "accounts": lambda d: details.account_add(actor=user, contact=contact, **d),
        "timeline": lambda d: details.interaction_add(
            actor=user,
            contact=contact,
            channel=d["channel"],
            summary=d["summary"],
            occurred_at=d.get("occurred_at"),
        ),
    }
    return _run(request, pk, section, form, actions[section])


@require_POST
def contact_tag_remove_view(request, pk, tag_pk):
    require_perm(request.user, "contacts.delete_contacttag")
    contact = selectors.contact_get(user=request.user, pk=pk)
    tag = get_object_or_404(Tag, pk=tag_pk)
    try:
        tags.tag_unassign(actor=request.user, contact=contact, tag=tag)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _blocked_response(request, pk)
    return _section_response(request, pk, "tags")


@require_POST
def contact_point_remove_view(request, pk, point_pk):
    require_perm(request.user, "contacts.delete_contactpoint")
    contact = selectors.contact_get(user=request.user, pk=pk)
    point = get_object_or_404(ContactPoint, pk=point_pk, contact=contact)
    try:
        held = details.contact_point_remove(actor=request.user, point=point)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _blocked_response(request, pk)
    if held is not None:
        return _held_response(request, pk)
    return _section_response(request, pk, "points")


def _blocked_response(request, pk):
    """A removal a blocking rule refuses: back to the page, told why."""
    response = redirect("contacts:detail", pk=pk)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("contacts:detail", args=[pk])
    return response


@require_POST
def employment_end_view(request, pk, employment_pk):
    require_perm(request.user, "contacts.change_employment")
    contact = selectors.contact_get(user=request.user, pk=pk)
    employment = get_object_or_404(Employment, pk=employment_pk, contact=contact)
    form = EndEmploymentForm(request.POST)
    return _run(
        request,
        pk,
        "employment",
        form,
        lambda d: details.employment_end(
            actor=request.user, employment=employment, ended_on=d["ended_on"]
        ),
    )


def contact_household_view(request, pk):
    require_perm(request.user, "contacts.view_contact")
    contact = selectors.contact_get(user=request.user, pk=pk)
    members = selectors.household(user=request.user, contact=contact)
    return render(request, "contacts/household.html", {"contact": contact, "members": members})


def contact_create_view(request):
    require_perm(request.user, "contacts.add_contact")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_create(actor=request.user, **form.service_values())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if contact.awaiting_review:
                messages.info(
                    request,
                    _(
                        "Contact created. It awaits review by a colleague and cannot be "
                        "contacted until it is approved."
                    ),
                )
            else:
                messages.success(request, _("Contact created."))
            return redirect(contact)
    return render(
        request,
        "contacts/contact_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


def contact_edit_view(request, pk):
    require_perm(request.user, "contacts.change_contact")
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = contact_update(
                actor=request.user,
                contact=contact,
                expected_version=form.cleaned_data.get("version") or 0,
                seen=form.seen_values(),
                **form.service_values(),
            )
        except StaleEditError as error:
            # Keep what the user typed, but against the current version: saving again
            # after reading the other person's changes is a deliberate overwrite.
            conflict = error
            data = request.POST.copy()
            data["version"] = str(error.contact.version)
            data["seen"] = signing.dumps(snapshot(error.contact), salt=SEEN_SALT)
            form = ContactForm(data, instance=contact)
            form.is_valid()
            form.add_error(None, error.message)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if saved.held_for_review is not None:
                messages.info(
                    request,
                    _(
                        "Saved. The change to sensitive details awaits review by a colleague "
                        "before it applies."
                    ),
                )
            else:
                messages.success(request, _("Changes saved."))
            return redirect(contact)
    return render(
        request,
        "contacts/contact_form.html",
        {"form": form, "contact": contact, "conflict": conflict},
        status=409 if conflict else (422 if form.errors else 200),
    )


@require_POST
def contact_reveal_view(request, pk):
    """Show the full national ID once, for a typed reason; audited, training-gated."""
    require_perm(request.user, "contacts.reveal_national_id")
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = RevealForm(request.POST)
    context = {"contact": contact, "reveal_form": form, "can_reveal": True}
    if not form.is_valid():
        return render(request, "contacts/partials/_national_id.html", context, status=422)
    try:
        require_current_training(request.user)
    except TrainingRequired as error:
        form.add_error(None, error.message)
        return render(request, "contacts/partials/_national_id.html", context, status=403)
    audit.revealed(
        actor=request.user, contact=contact, field="national_id", reason=form.cleaned_data["reason"]
    )
    context["revealed"] = contact.national_id
    return render(request, "contacts/partials/_national_id.html", context)


@require_POST
def account_reveal_view(request, pk, account_pk):
    """Show one account number in full, for a typed reason; audited, training-gated."""
    require_perm(request.user, "contacts.reveal_national_id")
    contact = selectors.contact_get(user=request.user, pk=pk)
    account = get_object_or_404(Account, pk=account_pk, contact=contact)
    form = RevealForm(request.POST)
    context = {"contact": contact, "account": account, "reveal_form": form, "can_reveal": True}
    if not form.is_valid():
        return render(request, "contacts/partials/_account_number.html", context, status=422)
    try:
        require_current_training(request.user)
    except TrainingRequired as error:
        form.add_error(None, error.message)
        return render(request, "contacts/partials/_account_number.html", context, status=403)
    audit.revealed(
        actor=request.user,
        contact=contact,
        field=f"account:{account.pk}",
        reason=form.cleaned_data["reason"],
    )
    context["revealed"] = account.number
    return render(request, "contacts/partials/_account_number.html", context)
