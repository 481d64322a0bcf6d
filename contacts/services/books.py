"""Who owns a book, and who covers it: hand-over and time-limited cover."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from contacts.models import BookCover, Contact
from core import roles


def _may_hand_over(actor, owner) -> bool:
    names = roles.role_names(actor)
    if roles.ADMINISTRATOR in names:
        return True
    return roles.TEAM_LEAD in names and owner.team_id is not None and owner.team.lead_id == actor.pk


def _check_rm(user) -> None:
    if not roles.has_role(user, roles.RELATIONSHIP_MANAGER) or not user.is_active:
        raise ValidationError(_("%(user)s is not an active relationship manager.") % {"user": user})


@transaction.atomic
def contacts_reassign(*, actor, contacts: Iterable[Contact], new_owner, reason: str = "") -> int:
    """Hand contacts to another RM. Access follows at once: the old owner loses them."""
    _check_rm(new_owner)
    contacts = list(contacts)
    for owner_id in {c.owner_id for c in contacts}:
        owner = next(c.owner for c in contacts if c.owner_id == owner_id)
        if not _may_hand_over(actor, owner):
            raise PermissionDenied(
                _("Only the team lead or an administrator can hand over a book.")
            )
    ids = [c.pk for c in contacts if c.owner_id != new_owner.pk]
    if not ids:
        return 0
    Contact.objects.filter(pk__in=ids).update(
        owner=new_owner, version=F("version") + 1, updated_at=timezone.now()
    )
    audit.contacts_reassigned(
        actor=actor, contact_ids=ids, new_owner_id=new_owner.pk, reason=reason
    )
    return len(ids)


@transaction.atomic
def book_reassign(*, actor, owner, new_owner, reason: str = "") -> int:
    """Hand a whole book over (an RM leaves or changes role)."""
    return contacts_reassign(
        actor=actor,
        contacts=Contact.objects.filter(owner=owner).select_related("owner__team"),
        new_owner=new_owner,
        reason=reason,
    )


@transaction.atomic
def book_cover_grant(
    *, actor, owner, covered_by, ends_on: date, starts_on: date | None = None, reason: str = ""
) -> BookCover:
    """Let a colleague see ``owner``'s book until ``ends_on``; it lapses on its own."""
    if not _may_hand_over(actor, owner):
        raise PermissionDenied(_("Only the team lead or an administrator can arrange cover."))
    _check_rm(covered_by)
    starts_on = starts_on or timezone.localdate()
    cover = BookCover(
        owner=owner,
        covered_by=covered_by,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        granted_by=actor,
    )
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("Cover must end on or after the day it starts.")]})
    cover.full_clean()
    cover.save()
    audit.cover_granted(actor=actor, cover=cover)
    return cover
