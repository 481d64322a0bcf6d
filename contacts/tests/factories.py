"""factory_boy factories for the book. Contacts are built through the services, so every
derived column (display name, search tokens, hashes) is what production would write."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from contacts.models import LifecycleStage, Organisation
from core import roles
from core.models import Team, User


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A member of staff. ``roles=[...]`` puts them in those role groups."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def rm(**kwargs) -> User:
    return UserFactory(roles=[roles.RELATIONSHIP_MANAGER], **kwargs)


def team_lead(**kwargs) -> User:
    return UserFactory(roles=[roles.RELATIONSHIP_MANAGER, roles.TEAM_LEAD], **kwargs)


def compliance_officer(**kwargs) -> User:
    return UserFactory(roles=[roles.COMPLIANCE], is_staff=True, **kwargs)


def administrator(**kwargs) -> User:
    return UserFactory(roles=[roles.ADMINISTRATOR], is_staff=True, **kwargs)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Formosa Holdings {n}")
    name_zh = factory.Sequence(lambda n: f"福爾摩沙控股{n}")
    email_domain = factory.Sequence(lambda n: f"formosa{n}.com.tw")


_counter = iter(range(1, 10**9))


def make_contact(*, owner: User, actor: User | None = None, approved: bool = True, **values):
    """A contact made through ``contact_create``, as the app would make it; unless
    ``approved=False``, a reviewer then approves the new entry (four eyes), as in the book."""
    from contacts.services.contacts import contact_create

    n = next(_counter)
    defaults = {
        "family_name": "Chen",
        "given_name": f"Test{n}",
        "lifecycle_stage": LifecycleStage.PROSPECT,
        "date_of_birth": datetime.date(1980, 1, 1),
    }
    contact = contact_create(actor=actor or owner, owner=owner, **(defaults | values))
    if approved and contact.awaiting_review:
        approve_pending(contact)
    return contact


def approve_pending(contact):
    """Approve every entry awaiting review for ``contact``, as a second person would."""
    from contacts.models import PendingChange
    from contacts.services.review import change_approve

    reviewer_user = UserFactory(username="factory_reviewer", roles=[roles.REVIEWER])
    for change in PendingChange.objects.pending().filter(contact=contact):
        change_approve(actor=reviewer_user, change=change)
    contact.refresh_from_db()


def today() -> datetime.date:
    return timezone.localdate()


def reviewer(**kwargs) -> User:
    return UserFactory(roles=[roles.REVIEWER], **kwargs)


def team_of(lead: User, *members: User) -> Team:
    """A team led by ``lead`` with ``members`` in it (the lead sees their books)."""
    team = TeamFactory(lead=lead)
    for member in members:
        member.team = team
        member.save(update_fields=["team"])
    return team


_tag_codes = iter(range(1, 10**9))


def make_tag(*, parent=None, active: bool = True, **kwargs):
    """A vocabulary term made through ``tag_create``; without ``parent``, a category."""
    from contacts.services.tags import tag_create, tag_update

    n = next(_tag_codes)
    values = {"code": f"tag-{n}", "label_en": f"Tag {n}", "label_zh_hant": f"標籤{n}"} | kwargs
    tag = tag_create(parent=parent, **values)
    if not active:
        tag = tag_update(
            tag=tag, label_en=tag.label_en, label_zh_hant=tag.label_zh_hant, is_active=False
        )
    return tag
