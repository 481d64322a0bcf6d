from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from compliance.training import TrainingRequired, require_current_training
from contacts.forms import BulkActionForm
from contacts.models import Contact
from contacts.selectors import contact_list, visible_owners
from contacts.services.books import contacts_reassign
from contacts.services.tags import tags_assign
from contacts.views.common import require_perm
from core.pagination import paginate

PER_PAGE = 25


def contact_list_view(request):
    """The book: filters in the URL (bookmarkable), sortable, paginated; htmx swaps the table."""
    require_perm(request.user, "contacts.view_contact")
    filterset, contacts = contact_list(user=request.user, filters=request.GET)
    page = paginate(
        contacts if filterset.is_valid() else contacts.none(),
        page=request.GET.get("page"),
        per_page=PER_PAGE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "sort": request.GET.get("sort", ""),
        "bulk_form": BulkActionForm(owners=visible_owners(request.user)),
        "can_reassign": request.user.has_perm("contacts.reassign_contact"),
        "can_tag": request.user.has_perm("contacts.add_contacttag"),
    }
    if request.htmx and request.htmx.target == "contact-table":
        return render(request, "contacts/partials/_contact_table.html", context)
    return render(request, "contacts/contact_list.html", context)


@require_POST
def contact_bulk_view(request):
    """Apply one action to the selected rows; only rows the user can see are touched."""
    require_perm(request.user, "contacts.view_contact")
    form = BulkActionForm(request.POST, owners=visible_owners(request.user))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "contacts:list"
    ids = [i for i in request.POST.getlist("contact_ids") if i.isdigit()]
    if not form.is_valid() or not ids:
        messages.error(request, _("Select at least one contact and complete the action."))
        return redirect(back)
    try:
        require_current_training(request.user)
    except TrainingRequired as error:
        messages.error(request, error.message)
        return redirect(back)
    contacts = list(
        Contact.objects.visible_to(request.user).filter(pk__in=ids).select_related("owner__team")
    )
    action = form.cleaned_data["action"]
    try:
        if action == BulkActionForm.ASSIGN_TAG:
            require_perm(request.user, "contacts.add_contacttag")
            count = tags_assign(
                actor=request.user, contacts=contacts, tags=[form.cleaned_data["tag"]]
            )
            messages.success(
                request,
                ngettext(
                    "Tag assigned to %(count)d contact.",
                    "Tag assigned to %(count)d contacts.",
                    count,
                )
                % {"count": count},
            )
        else:
            require_perm(request.user, "contacts.reassign_contact")
            count = contacts_reassign(
                actor=request.user,
                contacts=contacts,
                new_owner=form.cleaned_data["new_owner"],
                reason=_("Bulk reassignment from the contact list"),
            )
            messages.success(
                request,
                ngettext("%(count)d contact reassigned.", "%(count)d contacts reassigned.", count)
                % {"count": count},
            )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect(back)
