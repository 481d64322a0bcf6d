"""The contact page's may-contact panel: a badge per marketing purpose and channel, and the
forms to record a consent, withdraw one, or stop all marketing.

Thin views: the form validates, a ``compliance.consent.services`` function acts (audited, in
its own transaction), and the panel is drawn again (``_may_contact.html``) for htmx, or the
browser goes back to the contact page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.consent import queries, services
from compliance.consent.forms import ConsentRecordForm, ConsentWithdrawForm, MarketingStopAllForm
from contacts import selectors
from contacts.forms import apply_errors
from contacts.views.common import require_perm

PARTIAL = "contacts/partials/_may_contact.html"
PERMISSION = "compliance.add_consentevent"


def may_contact_context(user, contact, **overrides) -> dict:
    """What ``_may_contact.html`` needs. The contact page adds it to its own context."""
    context = {
        "contact": contact,
        "may_contact_lines": queries.marketing_decisions(contact),
        "can_record_consent": user.has_perm(PERMISSION),
        "consent_form": ConsentRecordForm(),
        "withdraw_form": ConsentWithdrawForm(),
        "stop_all_form": MarketingStopAllForm(),
        "consent_message": "",
    }
    context.update(overrides)
    return context


def _answer(request, contact, *, form=None, form_name="", message="", status=200):
    """The panel again for htmx; otherwise back to the contact page with a message."""
    if request.htmx:
        overrides = {"consent_message": message}
        if form is not None:
            overrides[form_name] = form
        context = may_contact_context(request.user, contact, **overrides)
        return render(request, PARTIAL, context, status=status)
    if form is not None and form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(contact)


def _run(request, contact, form, form_name: str, action, done: str):
    if not form.is_valid():
        return _answer(request, contact, form=form, form_name=form_name, status=422)
    try:
        action(form)
    except ValidationError as error:
        apply_errors(form, error)
        return _answer(request, contact, form=form, form_name=form_name, status=422)
    return _answer(request, contact, message=done)


@require_POST
def consent_record_view(request, pk):
    require_perm(request.user, PERMISSION)
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = ConsentRecordForm(request.POST)
    return _run(
        request,
        contact,
        form,
        "consent_form",
        lambda f: services.consent_grant(actor=request.user, contact=contact, **f.service_values()),
        _("Consent recorded."),
    )


@require_POST
def consent_withdraw_view(request, pk):
    require_perm(request.user, PERMISSION)
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = ConsentWithdrawForm(request.POST)
    return _run(
        request,
        contact,
        form,
        "withdraw_form",
        lambda f: services.consent_withdraw(actor=request.user, contact=contact, **f.cleaned_data),
        _("Consent withdrawn."),
    )


@require_POST
def marketing_stop_all_view(request, pk):
    require_perm(request.user, PERMISSION)
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = MarketingStopAllForm(request.POST)
    return _run(
        request,
        contact,
        form,
        "stop_all_form",
        lambda f: services.marketing_stop_all(
            actor=request.user, contact=contact, **f.cleaned_data
        ),
        _("All marketing stopped for this contact."),
    )
