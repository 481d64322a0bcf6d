"""The contact page, its create/edit forms, and the small forms on the page (htmx sections)."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from compliance import audit
from compliance.requests.selectors import requests_for_contact
from compliance.training import TrainingRequired, require_current_training
from contacts import review_selectors, selectors
from contacts.forms import (
    SEEN_SALT,
    AccountForm,
    ContactForm,
    ContactPointForm,
    EmploymentForm,
    EndEmploymentForm,
    InteractionEditForm,
    InteractionForm,
    RelationshipForm,
    RevealForm,
    RiskAssessmentForm,
    TagAssignForm,
    apply_errors,
)
from contacts.models import (
    Account,
    Contact,
    ContactPoint,
    Employment,
    Interaction,
    PendingChange,
    Tag,
    may_read_restricted,
)
from contacts.services import details, tags
from contacts.services.contacts import (
    StaleEditError,
    contact_create,
    contact_notes_restrict,
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

# What each section's form button says (and the lazy link that opens it).
SECTION_BUTTONS = {
    "points": gettext_lazy("Add contact point"),
    "risk": gettext_lazy("Record assessment"),
    "employment": gettext_lazy("Add employment"),
    "tags": gettext_lazy("Assign tag"),
    "relationships": gettext_lazy("Link contact"),
    "timeline": gettext_lazy("Add interaction"),
    "accounts": gettext_lazy("Add account"),
}


def _page_context(request, contact_pk, bound: dict | None = None) -> dict:
    contact = selectors.contact_detail(user=request.user, pk=contact_pk)
    tree = selectors.tag_tree()
    for assignment in contact.tag_assignments.all():
        assignment.tag = tree.get(assignment.tag_id, assignment.tag)
    # Only the interaction form, the one an RM uses on nearly every visit, comes with the
    # page; the others (country and tag lists, crispy fields: most of a page's rendering
    # time) load over htmx when their section is opened. A form that failed validation
    # comes back bound, with its errors.
    forms = {"timeline": InteractionForm(), **(bound or {})}
    return {
        **may_contact_context(request.user, contact),
        "contact": contact,
        "forms": forms,
        "section_buttons": SECTION_BUTTONS,
        "end_employment_form": EndEmploymentForm(),
        "can_edit": request.user.has_perm("contacts.change_contact"),
        "can_reveal": request.user.has_perm("contacts.reveal_national_id"),
        "reveal_form": RevealForm(),
        "may_read_restricted": may_read_restricted(request.user, owner_id=contact.owner_id),
        "review_status": review_selectors.contact_review_status(contact),
        **_requests_context(request.user, contact),
    }


def _requests_context(user, contact) -> dict:
    """The contact page's data-subject requests card."""
    can_view = user.has_perm("compliance.view_datasubjectrequest")
    return {
        "can_view_requests": can_view,
        "can_record_request": user.has_perm("compliance.add_datasubjectrequest"),
        "subject_requests": (requests_for_contact(contact=contact) if can_view else []),
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


def _section_form(user, section: str, data=None):
    form_class = SECTIONS[section][1]
    if form_class is RelationshipForm:
        return RelationshipForm(data, visible=Contact.objects.visible_to(user))
    return form_class(data)


@require_http_methods(["GET", "POST"])
def contact_section_add_view(request, pk, section):
    """GET: a section's blank form (the fragment for htmx, else a page of its own);
    POST: run it."""
    if section not in SECTIONS:
        return redirect("contacts:detail", pk=pk)
    perm = SECTIONS[section][2]
    require_perm(request.user, perm)
    contact = selectors.contact_get(user=request.user, pk=pk)
    user = request.user
    if request.method == "GET":
        template = (
            "contacts/partials/_section_form_body.html"
            if request.htmx
            else "contacts/section_form.html"
        )
        context = {
            "contact": contact,
            "section": section,
            "form": _section_form(user, section),
            "button": SECTION_BUTTONS[section],
        }
        return render(request, template, context)
    form = _section_form(user, section, request.POST)

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
    hide_notes = contact.notes_for(request.user) is None
    form = ContactForm(request.POST or None, instance=contact, hide_notes=hide_notes)
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
            form = ContactForm(data, instance=contact, hide_notes=hide_notes)
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


# --- restricted notes and sensitive text -------------------------------------------------------


@require_POST
def contact_notes_restrict_view(request, pk):
    """Restrict the notes to the contact's RM and compliance, or lift it (owner or
    compliance only; anyone else who sees the contact gets 403)."""
    require_perm(request.user, "contacts.view_contact")
    contact = selectors.contact_get(user=request.user, pk=pk)
    restricted = request.POST.get("restricted") != "0"
    contact_notes_restrict(actor=request.user, contact=contact, restricted=restricted)
    messages.success(
        request, _("Notes restricted.") if restricted else _("Notes no longer restricted.")
    )
    return redirect("contacts:detail", pk=pk)


@require_POST
def interaction_restrict_view(request, pk, interaction_pk):
    require_perm(request.user, "contacts.view_contact")
    contact = selectors.contact_get(user=request.user, pk=pk)
    interaction = get_object_or_404(Interaction, pk=interaction_pk, contact=contact)
    restricted = request.POST.get("restricted") != "0"
    details.interaction_restrict(actor=request.user, interaction=interaction, restricted=restricted)
    messages.success(
        request,
        _("Interaction restricted.") if restricted else _("Interaction no longer restricted."),
    )
    return redirect("contacts:detail", pk=pk)


def interaction_edit_view(request, pk, interaction_pk):
    """Rewrite an interaction's summary, e.g. to take out sensitive text: the contact's RM
    (or compliance) only."""
    require_perm(request.user, "contacts.change_contact")
    contact = selectors.contact_get(user=request.user, pk=pk)
    interaction = get_object_or_404(Interaction, pk=interaction_pk, contact=contact)
    if not may_read_restricted(request.user, owner_id=contact.owner_id):
        raise PermissionDenied(_("Only the contact's relationship manager can edit this."))
    form = InteractionEditForm(request.POST or None, initial={"summary": interaction.summary})
    if request.method == "POST" and form.is_valid():
        try:
            details.interaction_update(
                actor=request.user, interaction=interaction, summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Interaction saved."))
            return redirect("contacts:detail", pk=pk)
    return render(
        request,
        "contacts/interaction_form.html",
        {"form": form, "contact": contact, "interaction": interaction},
        status=422 if form.errors else 200,
    )
