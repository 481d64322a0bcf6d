"""Data-subject requests in the RM's screens: a small intake form reached from the contact
page (the RM takes the request on the client's behalf), and the list of requests of the
contacts in the RM's book. The DPO works them in the console; writes go through
``compliance.requests.services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from compliance.models import RequestChannel
from compliance.requests import selectors as request_selectors
from compliance.requests.forms import RequestIntakeForm
from compliance.requests.services import request_create
from contacts import selectors
from contacts.forms import apply_errors
from contacts.views.common import require_perm
from core.pagination import paginate

ADD_PERMISSION = "compliance.add_datasubjectrequest"
VIEW_PERMISSION = "compliance.view_datasubjectrequest"


def contact_request_create_view(request, pk):
    require_perm(request.user, ADD_PERMISSION)
    contact = selectors.contact_get(user=request.user, pk=pk)
    form = RequestIntakeForm(
        request.POST or None, initial={"channel": RequestChannel.RELATIONSHIP_MANAGER}
    )
    if request.method == "POST" and form.is_valid():
        try:
            request_create(actor=request.user, contact=contact, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Request recorded. The DPO has been given it to verify and answer.")
            )
            return redirect(contact)
    return render(
        request,
        "contacts/request_form.html",
        {"form": form, "contact": contact},
        status=422 if form.errors else 200,
    )


def request_list_view(request):
    """The requests of the contacts the user may see."""
    require_perm(request.user, VIEW_PERMISSION)
    requests = request_selectors.requests_in_book(user=request.user)
    page = paginate(requests, page=request.GET.get("page"), per_page=50)
    return render(request, "contacts/request_list.html", {"page": page})
