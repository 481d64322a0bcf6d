"""The governed vocabulary and its assignment to contacts."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from compliance import audit
from contacts.fields import IdSetField
from contacts.models import Contact, ContactTag, Tag
from contacts.models.tags import PATH_SEGMENT_WIDTH
from contacts.services.policies import contact_facts, contact_refresh_for_rules, policy_enforce
from contacts.services.quality import contacts_quality_mark_stale

REFRESH_CHUNK = 2000


def _next_path(parent: Tag | None) -> str:
    siblings = Tag.objects.filter(parent=parent)
    last = siblings.aggregate(last=Max("path"))["last"]
    number = int(last[-(PATH_SEGMENT_WIDTH + 1) : -1]) + 1 if last else 1
    if number >= 10**PATH_SEGMENT_WIDTH:
        raise ValidationError(_("This branch of the vocabulary is full."))
    prefix = parent.path if parent else ""
    return f"{prefix}{number:0{PATH_SEGMENT_WIDTH}d}."


@transaction.atomic
def tag_create(*, code: str, label_en: str, label_zh_hant: str, parent: Tag | None = None) -> Tag:
    """Add a term to the vocabulary (administrators only; enforced by the caller's view)."""
    tag = Tag(
        parent=parent,
        code=code,
        label_en=label_en.strip(),
        label_zh_hant=label_zh_hant.strip(),
        path=_next_path(parent),
        depth=parent.depth + 1 if parent else 0,
    )
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def tag_update(*, tag: Tag, label_en: str, label_zh_hant: str, is_active: bool) -> Tag:
    tag.label_en, tag.label_zh_hant, tag.is_active = label_en, label_zh_hant, is_active
    tag.full_clean()
    tag.save(update_fields=["label_en", "label_zh_hant", "is_active", "updated_at"])
    return tag


@transaction.atomic
def tags_assign(*, actor, contacts: Iterable[Contact], tags: Iterable[Tag]) -> int:
    """Assign tags to contacts; already-assigned pairs are left as they were.

    Categories themselves are headings, not terms: assign a term under them.
    """
    tags = list({tag.pk: tag for tag in tags}.values())
    for tag in tags:
        if tag.parent_id is None:
            raise ValidationError(
                _("“%(tag)s” is a category; choose a term under it.") % {"tag": tag.label}
            )
        if not tag.is_active:
            raise ValidationError(_("“%(tag)s” is retired.") % {"tag": tag.label})
    contact_ids = sorted({c.pk for c in contacts})
    existing = set(
        ContactTag.objects.filter(contact_id__in=contact_ids, tag__in=tags).values_list(
            "contact_id", "tag_id"
        )
    )
    new = [
        ContactTag(contact_id=cid, tag=tag, assigned_by=actor)
        for cid in contact_ids
        for tag in tags
        if (cid, tag.pk) not in existing
    ]
    ContactTag.objects.bulk_create(new, batch_size=1000)
    changed = sorted({a.contact_id for a in new})
    contact_tag_ids_refresh(contact_ids=changed)
    contacts_quality_mark_stale(contact_ids=changed)
    if len(contact_ids) == 1 and changed:
        audit.record_created(
            actor=actor,
            obj=new[0],
            contact_id=changed[0],
            values={"tags": [t.code for t in tags]},
        )
    elif changed:
        audit.batch(
            actor=actor,
            operation="tags_assign",
            contact_ids=changed,
            detail={"tags": [t.code for t in tags]},
        )
    return len(new)


@transaction.atomic
def tag_unassign(*, actor, contact: Contact, tag: Tag) -> None:
    """Remove a tag, unless that breaks a blocking rule (a client's only segment tag,
    where the rule blocks)."""
    assignment = ContactTag.objects.filter(contact=contact, tag=tag).first()
    if assignment is None:
        return
    facts_before = contact_facts(contact_refresh_for_rules(contact))
    audit.record_deleted(actor=actor, obj=assignment, contact_id=contact.pk)
    assignment.delete()
    policy_enforce(after=contact_facts(contact), before=facts_before)
    contact_tag_ids_refresh(contact_ids=[contact.pk])
    contacts_quality_mark_stale(contact_ids=[contact.pk])


def contact_tag_ids_refresh(*, contact_ids: Iterable[int]) -> None:
    """Copy the contacts' tag assignments onto ``Contact.tag_ids`` (what the list's tag
    filter reads). Every service that adds or removes ContactTag rows calls this in the same
    transaction. Derived data: neither the version nor the change time moves."""
    contact_ids = sorted(set(contact_ids))
    for start in range(0, len(contact_ids), REFRESH_CHUNK):
        chunk = contact_ids[start : start + REFRESH_CHUNK]
        tags: dict[int, list[int]] = {pk: [] for pk in chunk}
        for contact_id, tag_id in ContactTag.objects.filter(contact_id__in=chunk).values_list(
            "contact_id", "tag_id"
        ):
            tags[contact_id].append(tag_id)
        Contact.objects.bulk_update(
            [Contact(pk=pk, tag_ids=IdSetField.spell(ids)) for pk, ids in tags.items()],
            ["tag_ids"],
            batch_size=500,
        )
