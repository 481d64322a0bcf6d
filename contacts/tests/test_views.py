"""The book's screens through the test client: list, search, bulk actions, forms, the contact
page and its htmx sections, hand-over and cover, the dashboard, language and log-in."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from compliance.models import AuditAction, AuditEvent
from compliance.tests.factories import give_training
from contacts.forms import ContactForm
from contacts.models import Contact, ContactPoint, ContactTag, Interaction, Tag
from contacts.services import details
from contacts.services.contacts import contact_update
from contacts.services.tags import tags_assign
from contacts.tests import factories
from core.models import User
from core.testing import login_verified

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:list")
HTMX = {"HX-Request": "true"}
PASSWORD = "correct horse battery staple"


# --- helpers -------------------------------------------------------------------------------------


def tag(code: str) -> Tag:
    return Tag.objects.get(code=code)


def ids(response) -> list[int]:
    """The contacts on the list page, in the order shown."""
    return [c.pk for c in response.context["page"].object_list]


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def in_chinese(msgid: str) -> str:
    """The zh-Hant catalogue's translation of ``msgid``; it must actually be translated."""
    with translation.override("zh-hant"):
        translated = translation.gettext(msgid)
    assert translated != msgid, f"{msgid!r} has no zh-Hant translation"
    return translated


def contact_form_data(contact: Contact | None = None, **overrides) -> dict:
    """What the contact form would post (for ``contact``, or a blank new one)."""
    form = ContactForm(instance=contact)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    return data | overrides


def team(lead: User, *members: User):
    squad = factories.TeamFactory(lead=lead)
    User.objects.filter(pk__in=[lead.pk, *(m.pk for m in members)]).update(team=squad)
    return squad


def at_noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def lead(rm_user, other_rm):
    """A team lead whose team holds alice (rm_user) and bob (other_rm)."""
    user = factories.team_lead(username="lead_erin")
    team(user, rm_user, other_rm)
    return user


@pytest.fixture
def lead_client(lead):
    client = Client()
    client.force_login(lead)
    return client


# --- the list: filters ---------------------------------------------------------------------------


def test_the_list_filters_by_lifecycle_stage(rm_client, rm_user):
    factories.make_contact(owner=rm_user, lifecycle_stage="prospect")
    client = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    response = rm_client.get(LIST, {"lifecycle_stage": "client"})
    assert response.status_code == 200
    assert ids(response) == [client.pk]


def test_a_tag_filter_includes_contacts_tagged_with_narrower_terms(rm_client, rm_user):
    tagged = {}
    for code in ("segment-uhnw", "segment-hnw", "segment-retiree", "segment-sme-owner"):
        tagged[code] = factories.make_contact(owner=rm_user, family_name=code.title())
        tags_assign(actor=rm_user, contacts=[tagged[code]], tags=[tag(code)])
    factories.make_contact(owner=rm_user, family_name="Untagged")

    def shown(code):
        return set(ids(rm_client.get(LIST, {"tag": tag(code).pk})))

    individual = {tagged[c].pk for c in ("segment-uhnw", "segment-hnw", "segment-retiree")}
    assert shown("segment-individual") == individual
    assert shown("segment-hnw") == {tagged["segment-uhnw"].pk, tagged["segment-hnw"].pk}
    assert shown("client-segment") == {c.pk for c in tagged.values()}
    assert shown("segment-uhnw") == {tagged["segment-uhnw"].pk}


def test_the_risk_filter_uses_the_current_valid_assessment(rm_client, rm_user):
    today = factories.today()

    def assessed(level, assessed_on, valid_until):
        contact = factories.make_contact(owner=rm_user)
        details.risk_assessment_record(
            actor=rm_user,
            contact=contact,
            level=level,
            assessed_on=assessed_on,
            valid_until=valid_until,
        )
        return contact

    current = assessed("aggressive", today - timedelta(days=30), today + timedelta(days=300))
    assessed("aggressive", today - timedelta(days=800), today - timedelta(days=400))
    assessed("moderate", today - timedelta(days=30), today + timedelta(days=300))
    assert ids(rm_client.get(LIST, {"risk": "aggressive"})) == [current.pk]


def test_a_team_lead_filters_the_team_book_by_owner(lead_client, rm_user, other_rm):
    factories.make_contact(owner=rm_user)
    bobs = factories.make_contact(owner=other_rm)
    response = lead_client.get(LIST, {"owner": other_rm.pk})
    assert ids(response) == [bobs.pk]
    owners = set(response.context["filter"].form.fields["owner"].queryset)
    assert {rm_user, other_rm} <= owners


def test_the_owner_filter_offers_no_one_outside_the_book(rm_client, rm_user, other_rm):
    factories.make_contact(owner=other_rm)
    response = rm_client.get(LIST, {"owner": other_rm.pk})
    assert response.status_code == 200
    assert ids(response) == []
    assert "owner" in response.context["filter"].form.errors
    assert list(response.context["filter"].form.fields["owner"].queryset) == [rm_user]


@pytest.mark.parametrize(
    ("flag", "values"),
    [
        ("deceased", {"is_deceased": True, "deceased_on": factories.today()}),
        ("do_not_contact", {"do_not_contact": True}),
        ("left_employer", {"left_employer": True}),
    ],
)
def test_the_list_filters_by_status_flag(rm_client, rm_user, flag, values):
    factories.make_contact(owner=rm_user)
    flagged = factories.make_contact(owner=rm_user, **values)
    assert ids(rm_client.get(LIST, {"flag": flag})) == [flagged.pk]


def test_the_list_shows_contacts_whose_review_is_overdue(rm_client, rm_user):
    today = factories.today()
    overdue = factories.make_contact(owner=rm_user, next_review_due=today - timedelta(days=1))
    factories.make_contact(owner=rm_user, next_review_due=today + timedelta(days=1))
    factories.make_contact(owner=rm_user)
    assert ids(rm_client.get(LIST, {"review_overdue": "on"})) == [overdue.pk]
    assert ids(rm_client.get(LIST, {"review_overdue": "true"})) == [overdue.pk]
    assert len(ids(rm_client.get(LIST))) == 3


# --- the list: search ----------------------------------------------------------------------------


def test_a_two_character_chinese_given_name_finds_the_contact(rm_client, rm_user, contact):
    factories.make_contact(owner=rm_user, name_zh="王怡如")
    factories.make_contact(owner=rm_user, name_zh="林君怡")
    response = rm_client.get(LIST, {"q": "怡君"})
    assert ids(response) == [contact.pk]
    assert "陳怡君" in text(response)


@pytest.mark.parametrize("typed", ["0912 345 678", "0912-345-678", "+886 912 345 678", "5678"])
def test_a_phone_number_is_found_however_it_is_typed(rm_client, rm_user, contact, typed):
    details.contact_point_add(actor=rm_user, contact=contact, kind="phone", value="0912345678")
    factories.make_contact(owner=rm_user)
    assert ids(rm_client.get(LIST, {"q": typed})) == [contact.pk]


def test_an_email_address_finds_the_contact(rm_client, rm_user, contact):
    details.contact_point_add(
        actor=rm_user, contact=contact, kind="email", value="Grace.Chen@Example.com.tw"
    )
    factories.make_contact(owner=rm_user)
    assert ids(rm_client.get(LIST, {"q": "grace.chen@example.com.tw"})) == [contact.pk]


def test_search_never_reaches_into_another_book(rm_client, rm_user, other_rm, contact):
    factories.make_contact(owner=other_rm, name_zh="李怡君")
    assert ids(rm_client.get(LIST, {"q": "怡君"})) == [contact.pk]


# --- the list: sorting, state in the URL, htmx, pages --------------------------------------------


@pytest.fixture
def three(rm_user):
    return [
        factories.make_contact(owner=rm_user, family_name=family, given_name=given)
        for family, given in (("Wang", "Mia"), ("Lin", "Amy"), ("Chen", "Zoe"))
    ]


def test_the_list_sorts_by_an_allowed_column(rm_client, three):
    mia, amy, zoe = three
    assert ids(rm_client.get(LIST)) == [amy.pk, mia.pk, zoe.pk]
    assert ids(rm_client.get(LIST, {"sort": "name"})) == [amy.pk, mia.pk, zoe.pk]
    assert ids(rm_client.get(LIST, {"sort": "-name"})) == [zoe.pk, mia.pk, amy.pk]


@pytest.mark.parametrize("sort", ["owner__password", "national_id", "-search_tokens", "1;--"])
def test_an_unknown_sort_is_ignored(rm_client, three, sort):
    mia, amy, zoe = three
    response = rm_client.get(LIST, {"sort": sort})
    assert response.status_code == 200
    assert ids(response) == [amy.pk, mia.pk, zoe.pk]


def test_the_filters_live_in_the_url_and_are_shown_selected(rm_client, rm_user):
    hnw = tag("segment-hnw")
    for _ in range(30):
        contact = factories.make_contact(
            owner=rm_user, lifecycle_stage="client", next_review_due=factories.today()
        )
        tags_assign(actor=rm_user, contacts=[contact], tags=[hnw])
    params = {
        "q": "Chen",
        "lifecycle_stage": "client",
        "tag": hnw.pk,
        "risk": "moderate",
        "flag": "do_not_contact",
        "review_overdue": "on",
    }
    response = rm_client.get(LIST, params | {"risk": "", "flag": "", "review_overdue": ""})
    page = text(response)
    assert re.search(r'name="q"[^>]*value="Chen"', page)
    assert re.search(r'<option value="client" selected>', page)
    assert re.search(rf'<option value="{hnw.pk}" selected>', page)
    assert len(ids(response)) == 25
    # The next page keeps every filter.
    next_link = re.search(r'href="\?([^"]*page=2[^"]*)"', page)[1].replace("&amp;", "&")
    assert "lifecycle_stage=client" in next_link
    assert f"tag={hnw.pk}" in next_link
    assert "q=Chen" in next_link

    page = text(rm_client.get(LIST, params))
    assert re.search(r'<option value="moderate" selected>', page)
    assert re.search(r'<option value="do_not_contact" selected>', page)
    assert re.search(r'name="review_overdue"[^>]*checked', page)


def test_an_htmx_request_for_the_table_gets_the_table_alone(rm_client, contact):
    response = rm_client.get(LIST, {"q": "怡君"}, headers=HTMX | {"HX-Target": "contact-table"})
    page = text(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="contact-table">')
    assert "<html" not in page
    assert 'id="contact-filters"' not in page
    assert "陳怡君" in page
    full = text(rm_client.get(LIST, {"q": "怡君"}))
    assert "<html" in full and 'id="contact-filters"' in full


def test_sixty_contacts_make_three_pages(rm_client, rm_user):
    for n in range(60):
        factories.make_contact(owner=rm_user, family_name="Lin", given_name=f"Pat{n:02d}")
    first = rm_client.get(LIST)
    assert len(ids(first)) == 25
    assert "60 contacts" in text(first)
    assert "Page 1 of 3" in text(first)
    second = rm_client.get(LIST, {"page": 2})
    assert len(ids(second)) == 25
    assert not set(ids(first)) & set(ids(second))
    last = rm_client.get(LIST, {"page": 3})
    assert len(ids(last)) == 10
    assert "Page 3 of 3" in text(last)
    assert len(set(ids(first)) | set(ids(second)) | set(ids(last))) == 60
    # Out of range or nonsense: the nearest real page, never an error.
    assert ids(rm_client.get(LIST, {"page": 99})) == ids(last)
    assert ids(rm_client.get(LIST, {"page": "abc"})) == ids(first)


# --- bulk actions --------------------------------------------------------------------------------


def test_bulk_tagging_touches_only_contacts_in_the_users_book(rm_client, rm_user, other_rm):
    give_training(rm_user)
    mine = [factories.make_contact(owner=rm_user) for _ in range(2)]
    theirs = factories.make_contact(owner=other_rm)
    hnw = tag("segment-hnw")
    response = rm_client.post(
        reverse("contacts:bulk"),
        {
            "action": "assign_tag",
            "tag": hnw.pk,
            "contact_ids": [mine[0].pk, mine[1].pk, theirs.pk],
            "next": LIST,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == LIST
    tagged = set(ContactTag.objects.filter(tag=hnw).values_list("contact_id", flat=True))
    assert tagged == {mine[0].pk, mine[1].pk}
    assert messages_of(response) == ["Tag assigned to 2 contacts."]


def test_a_team_lead_reassigns_selected_contacts(lead_client, lead, rm_user, other_rm):
    give_training(lead)
    moving = [factories.make_contact(owner=rm_user) for _ in range(2)]
    staying = factories.make_contact(owner=rm_user)
    outsider = factories.make_contact(owner=factories.rm(username="rm_outsider"))
    response = lead_client.post(
        reverse("contacts:bulk"),
        {
            "action": "reassign",
            "new_owner": other_rm.pk,
            "contact_ids": [moving[0].pk, moving[1].pk, outsider.pk],
        },
    )
    assert response.status_code == 302
    assert messages_of(response) == ["2 contacts reassigned."]
    owners = dict(Contact.objects.values_list("pk", "owner_id"))
    assert [owners[c.pk] for c in moving] == [other_rm.pk, other_rm.pk]
    assert owners[staying.pk] == rm_user.pk
    assert owners[outsider.pk] != other_rm.pk
    event = AuditEvent.objects.get(action=AuditAction.BATCH, detail__operation="reassign")
    assert event.detail["contact_ids"] == sorted(c.pk for c in moving)


def test_a_plain_rm_cannot_reassign_and_nothing_changes(rm_client, rm_user, other_rm):
    give_training(rm_user)
    contact = factories.make_contact(owner=rm_user)
    response = rm_client.post(
        reverse("contacts:bulk"),
        {"action": "reassign", "new_owner": rm_user.pk, "contact_ids": [contact.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Your role does not allow this." in text(response)
    contact.refresh_from_db()
    assert contact.owner == rm_user
    assert contact.version == 1


def test_a_bulk_action_needs_current_privacy_training(rm_client, rm_user):
    contact = factories.make_contact(owner=rm_user)
    data = {"action": "assign_tag", "tag": tag("segment-hnw").pk, "contact_ids": [contact.pk]}
    response = rm_client.post(reverse("contacts:bulk"), data)
    assert messages_of(response) == [
        "You have no privacy training on record, so you cannot do this yet. Ask your DPO."
    ]
    assert not ContactTag.objects.exists()
    give_training(rm_user, valid_for_days=-1)
    response = rm_client.post(reverse("contacts:bulk"), data)
    assert messages_of(response)[-1].startswith("Your privacy training expired on")
    assert not ContactTag.objects.exists()


def test_a_bulk_action_without_a_selection_says_so(rm_client):
    response = rm_client.post(
        reverse("contacts:bulk"), {"action": "assign_tag", "tag": tag("segment-hnw").pk}
    )
    assert messages_of(response) == ["Select at least one contact and complete the action."]
    assert not ContactTag.objects.exists()


def test_a_bulk_action_never_redirects_off_site(rm_client, rm_user, contact):
    give_training(rm_user)
    response = rm_client.post(
        reverse("contacts:bulk"),
        {
            "action": "assign_tag",
            "tag": tag("segment-hnw").pk,
            "contact_ids": [contact.pk],
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == LIST


# --- create and edit -----------------------------------------------------------------------------

NEW = {
    "family_name": "林",
    "given_name": "美玲",
    "lifecycle_stage": "prospect",
    "country_of_residence": "TW",
    "preferred_language": "zh-hant",
    "national_id_country": "TW",
}


def test_creating_a_contact_saves_it_in_the_users_book(rm_client, rm_user):
    response = rm_client.post(reverse("contacts:create"), NEW | {"national_id": "a123456789"})
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    assert contact.owner == rm_user
    assert contact.display_name == "林美玲"
    assert contact.national_id == "A123456789"
    assert AuditEvent.objects.filter(action=AuditAction.CONTACT_CREATED, contact_id=contact.pk)


def test_an_invalid_national_id_is_refused_and_nothing_is_saved(rm_client):
    events = AuditEvent.objects.count()
    response = rm_client.post(reverse("contacts:create"), NEW | {"national_id": "A123456788"})
    assert response.status_code == 422
    assert "This is not a valid national ID for TW." in text(response)
    assert Contact.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_national_id_error_is_in_the_users_language(rm_client, rm_user):
    User.objects.filter(pk=rm_user.pk).update(preferred_language="zh-hant")
    response = rm_client.post(reverse("contacts:create"), NEW | {"national_id": "A123456788"})
    assert response.status_code == 422
    message = in_chinese("This is not a valid national ID for %(country)s.") % {"country": "TW"}
    assert message in text(response)
    assert Contact.objects.count() == 0


def test_a_contact_needs_a_name(rm_client):
    data = NEW | {"family_name": "", "given_name": ""}
    response = rm_client.post(reverse("contacts:create"), data)
    assert response.status_code == 422
    assert "Enter at least one name: family, given, Chinese or preferred." in text(response)
    assert Contact.objects.count() == 0


def test_an_edit_opened_before_someone_elses_change_is_refused_then_redone(
    rm_client, rm_user, lead, contact
):
    url = reverse("contacts:edit", args=[contact.pk])
    opened = rm_client.get(url)
    assert opened.status_code == 200
    data = contact_form_data(contact, notes="Prefers LINE messages")
    assert data["version"] == str(contact.version)

    contact_update(actor=lead, contact=contact, expected_version=contact.version, name_zh="陳宜君")

    conflict = rm_client.post(url, data)
    assert conflict.status_code == 409
    page = text(conflict)
    assert "This contact was changed by someone else." in page
    assert "陳宜君" in page  # the colleague's value, shown
    contact.refresh_from_db()
    assert contact.name_zh == "陳宜君"
    assert contact.notes == ""

    # Saving again after reading the colleague's change is a deliberate overwrite.
    resubmitted = conflict.context["form"].data
    assert resubmitted["version"] == str(contact.version)
    saved = rm_client.post(url, resubmitted)
    assert saved.status_code == 302
    contact.refresh_from_db()
    assert contact.notes == "Prefers LINE messages"


def test_an_edit_without_conflict_saves(rm_client, contact):
    url = reverse("contacts:edit", args=[contact.pk])
    response = rm_client.post(url, contact_form_data(contact, lifecycle_stage="client"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.lifecycle_stage == "client"
    assert contact.version == 2


# --- the contact page and its sections -----------------------------------------------------------


def section(contact: Contact, name: str) -> str:
    return reverse("contacts:section_add", kwargs={"pk": contact.pk, "section": name})


def test_the_contact_page_shows_every_section(rm_client, contact):
    response = rm_client.get(contact.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    for name in ("points", "risk", "employment", "tags", "relationships", "timeline"):
        assert f'id="section-{name}"' in page


def test_the_page_carries_the_interaction_form_and_loads_the_others_when_opened(rm_client, contact):
    page = text(rm_client.get(contact.get_absolute_url()))
    assert 'data-testid="form-timeline"' in page
    for name in ("points", "risk", "employment", "tags", "relationships", "accounts"):
        assert f'data-testid="load-form-{name}"' in page
        assert f'data-testid="form-{name}"' not in page


@pytest.mark.parametrize(
    "name", ["points", "risk", "employment", "tags", "relationships", "timeline", "accounts"]
)
def test_a_sections_form_is_served_as_a_fragment_for_htmx_and_a_page_without(
    rm_client, contact, name
):
    fragment = text(rm_client.get(section(contact, name), headers=HTMX))
    assert fragment.lstrip().startswith("<form")
    assert "<html" not in fragment
    assert f'hx-post="{section(contact, name)}"' in fragment
    page = rm_client.get(section(contact, name))
    assert page.status_code == 200
    assert "<html" in text(page)
    assert f'data-testid="form-{name}"' in text(page)
    assert "hx-post" not in text(page)  # a plain form: it posts and returns to the contact


def test_a_section_form_is_not_served_without_the_permission_to_use_it(client, contact):
    viewer = factories.compliance_officer()
    login_verified(client, viewer)
    assert client.get(section(contact, "tags"), headers=HTMX).status_code == 403


def test_adding_an_interaction_returns_the_timeline_alone(rm_client, rm_user, contact):
    response = rm_client.post(
        section(contact, "timeline"),
        {"channel": "meeting", "summary": "Reviewed the portfolio over tea"},
        headers=HTMX,
    )
    assert response.status_code == 200
    page = text(response)
    assert page.lstrip().startswith('<div class="card mb-3" id="section-timeline">')
    assert "<html" not in page
    assert "Reviewed the portfolio over tea" in page
    assert Interaction.objects.get().recorded_by == rm_user


def test_a_section_form_without_htmx_returns_to_the_page(rm_client, contact):
    response = rm_client.post(section(contact, "timeline"), {"channel": "call", "summary": "Hi"})
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()


def test_an_invalid_phone_number_is_refused_with_its_error(rm_client, contact):
    response = rm_client.post(
        section(contact, "points"), {"kind": "phone", "value": "12345"}, headers=HTMX
    )
    assert response.status_code == 422
    assert "is not a phone number that can exist." in text(response)
    assert 'id="section-points"' in text(response)
    assert not ContactPoint.objects.exists()


def test_an_invalid_section_form_without_htmx_shows_the_page_with_errors(rm_client, contact):
    response = rm_client.post(section(contact, "points"), {"kind": "phone", "value": "12345"})
    assert response.status_code == 422
    assert "<html" in text(response)
    assert "is not a phone number that can exist." in text(response)


def test_an_assigned_tag_shows_its_whole_chain(rm_client, contact):
    response = rm_client.post(
        section(contact, "tags"), {"tag": tag("segment-hnw").pk}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Client segment › Individual › High net worth" in text(response)
    assert ContactTag.objects.filter(contact=contact, tag__code="segment-hnw").exists()


def test_a_category_cannot_be_assigned(rm_client, contact):
    response = rm_client.post(
        section(contact, "tags"), {"tag": tag("client-segment").pk}, headers=HTMX
    )
    assert response.status_code == 422
    assert not ContactTag.objects.exists()


def test_removing_a_tag(rm_client, rm_user, contact):
    hnw = tag("segment-hnw")
    tags_assign(actor=rm_user, contacts=[contact], tags=[hnw])
    url = reverse("contacts:tag_remove", kwargs={"pk": contact.pk, "tag_pk": hnw.pk})
    response = rm_client.post(url, headers=HTMX)
    assert response.status_code == 200
    assert "Client segment › Individual › High net worth" not in text(response)
    assert 'data-testid="tag"' not in text(response)
    assert not ContactTag.objects.filter(contact=contact).exists()


def test_ending_an_employment_shows_left(rm_client, rm_user, contact):
    job = details.employment_add(
        actor=rm_user,
        contact=contact,
        organisation=factories.OrganisationFactory(),
        title="CFO",
        started_on=factories.today() - timedelta(days=900),
    )
    url = reverse("contacts:employment_end", kwargs={"pk": contact.pk, "employment_pk": job.pk})
    yesterday = factories.today() - timedelta(days=1)
    response = rm_client.post(url, {"ended_on": yesterday.isoformat()}, headers=HTMX)
    assert response.status_code == 200
    assert ">Left<" in text(response)
    contact.refresh_from_db()
    assert contact.left_employer


def test_the_household_lists_linked_members_in_the_users_book(rm_client, rm_user, other_rm):
    head = factories.make_contact(owner=rm_user, family_name="Chen", given_name="Da-Wei")
    spouse = factories.make_contact(owner=rm_user, family_name="Lin", given_name="Mei")
    child = factories.make_contact(owner=rm_user, family_name="Chen", given_name="Xiao")
    hidden = factories.make_contact(owner=other_rm, family_name="Chen", given_name="Hidden")
    partner = factories.make_contact(owner=rm_user, family_name="Wu", given_name="Partner")
    details.relationship_add(actor=rm_user, from_contact=head, to_contact=spouse, kind="spouse")
    details.relationship_add(actor=rm_user, from_contact=spouse, to_contact=child, kind="guardian")
    details.relationship_add(
        actor=other_rm, from_contact=hidden, to_contact=child, kind="household"
    )
    details.relationship_add(
        actor=rm_user, from_contact=head, to_contact=partner, kind="business_partner"
    )
    response = rm_client.get(reverse("contacts:household", args=[head.pk]))
    assert response.status_code == 200
    members = [member.pk for member, _links in response.context["members"]]
    assert set(members) == {head.pk, spouse.pk, child.pk}
    assert "Hidden" not in text(response)


# --- hand-over and cover -------------------------------------------------------------------------


def test_a_team_lead_hands_a_book_over(lead_client, rm_user, other_rm):
    book = [factories.make_contact(owner=rm_user) for _ in range(3)]
    response = lead_client.post(
        reverse("contacts:handover"),
        {"owner": rm_user.pk, "new_owner": other_rm.pk, "reason": "Moved to the Hsinchu branch"},
    )
    assert response.status_code == 302
    assert messages_of(response) == ["3 contacts handed over."]
    assert set(Contact.objects.filter(owner=other_rm)) == set(book)
    alice = Client()
    alice.force_login(rm_user)
    assert alice.get(book[0].get_absolute_url()).status_code == 404


def test_cover_lasts_until_its_end_date(lead_client, rm_user, other_rm):
    bobs = factories.make_contact(owner=other_rm)
    today = factories.today()
    ends_on = today + timedelta(days=3)
    response = lead_client.post(
        reverse("contacts:cover"),
        {
            "owner": other_rm.pk,
            "covered_by": rm_user.pk,
            "starts_on": today.isoformat(),
            "ends_on": ends_on.isoformat(),
            "reason": "Annual leave",
        },
    )
    assert response.status_code == 302

    def alice_sees_bobs_contact(day) -> int:
        with time_machine.travel(at_noon(day), tick=False):
            alice = Client()
            alice.force_login(rm_user)
            return alice.get(bobs.get_absolute_url()).status_code

    assert alice_sees_bobs_contact(today) == 200
    assert alice_sees_bobs_contact(ends_on) == 200
    assert alice_sees_bobs_contact(ends_on + timedelta(days=1)) == 404
    covers = text(lead_client.get(reverse("contacts:cover")))
    assert "Annual leave" in covers


def test_cover_cannot_end_before_it_starts(lead_client, rm_user, other_rm):
    today = factories.today()
    response = lead_client.post(
        reverse("contacts:cover"),
        {
            "owner": other_rm.pk,
            "covered_by": rm_user.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "Cover must end on or after the day it starts." in text(response)


# --- the dashboard -------------------------------------------------------------------------------


def test_the_home_page_sums_up_the_users_book(rm_client, rm_user, other_rm):
    today = factories.today()
    factories.make_contact(owner=rm_user, lifecycle_stage="prospect")
    factories.make_contact(
        owner=rm_user, lifecycle_stage="prospect", next_review_due=today - timedelta(days=3)
    )
    client = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    expiring = factories.make_contact(owner=rm_user, lifecycle_stage="client")
    details.risk_assessment_record(
        actor=rm_user,
        contact=expiring,
        level="moderate",
        assessed_on=today - timedelta(days=355),
        valid_until=today + timedelta(days=10),
    )
    factories.approve_pending(expiring)  # a client's risk assessment waits for four eyes
    factories.make_contact(owner=rm_user, lifecycle_stage="former_client")
    factories.make_contact(owner=other_rm, lifecycle_stage="client")
    details.interaction_add(actor=rm_user, contact=client, channel="call", summary="Checked in")

    response = rm_client.get(reverse("home"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["total"] == 5
    assert (summary["prospects"], summary["clients"], summary["former"]) == (2, 2, 1)
    assert summary["review_overdue"] == 1
    assert summary["risk_expiring"] == 1
    assert summary["no_valid_risk"] == 1
    page = text(response)
    assert '<div class="fs-3" data-testid="book-total">5</div>' in page
    assert "2 clients · 2 prospects · 1 former" in page
    assert "Checked in" in page


def test_roles_without_a_book_get_a_plain_home_page(admin_client_role):
    response = admin_client_role.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["summary"] is None


# --- language ------------------------------------------------------------------------------------


def test_switching_language_is_remembered_on_the_user(rm_client, rm_user, contact):
    response = rm_client.post(reverse("set_language"), {"language": "zh-hant", "next": LIST})
    assert response.status_code == 302
    assert response["Location"] == LIST
    rm_user.refresh_from_db()
    assert rm_user.preferred_language == "zh-hant"

    # The choice follows the user, not the browser.
    elsewhere = Client()
    elsewhere.force_login(rm_user)
    page = elsewhere.get(LIST)
    assert page["Content-Language"] == "zh-hant"
    html = text(page)
    assert '<html lang="zh-hant">' in html
    assert in_chinese("Contacts") in html
    assert in_chinese("Apply filters") in html
    assert "客戶分群" in html  # the vocabulary's own Chinese labels


def test_an_unknown_language_is_refused(rm_client, rm_user):
    assert rm_client.post(reverse("set_language"), {"language": "xx"}).status_code == 400
    rm_user.refresh_from_db()
    assert rm_user.preferred_language == "en"


def test_switching_language_never_redirects_off_site(rm_client):
    response = rm_client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- hostile input and headers -------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_hostile_input_is_shown_as_text(rm_client, rm_user):
    contact = factories.make_contact(owner=rm_user, family_name=SCRIPT, notes=SCRIPT)
    details.interaction_add(actor=rm_user, contact=contact, channel="call", summary=SCRIPT)
    pages = [
        rm_client.get(LIST),
        rm_client.get(LIST, {"q": SCRIPT}),
        rm_client.get(contact.get_absolute_url()),
        rm_client.get(reverse("contacts:household", args=[contact.pk])),
    ]
    for response in pages:
        html = text(response).lower()
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(pages[0]).lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(pages[2]).lower()


def test_no_page_repeats_an_element_id(lead_client, lead, rm_user):
    """Several forms share a page; a repeated id sends a label (and a click) to the wrong
    field."""
    contact = factories.make_contact(owner=rm_user)
    for url in (LIST, contact.get_absolute_url(), reverse("home"), reverse("contacts:create")):
        found = re.findall(r'\sid="([^"]+)"', text(lead_client.get(url)))
        repeated = {i for i in found if found.count(i) > 1}
        assert repeated == set(), url


def test_the_list_keeps_search_terms_out_of_referrers(rm_client):
    assert rm_client.get(LIST)["Referrer-Policy"] == "same-origin"


# --- log-in --------------------------------------------------------------------------------------


def test_the_log_in_page_logs_a_user_in(client, rm_user):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in text(page)
    response = client.post(reverse("login"), {"username": "rm_alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(LIST).status_code == 200


def test_log_in_locks_out_after_the_failure_limit(client, rm_user):
    def attempt(password, client=client):
        return client.post(reverse("login"), {"username": "rm_alice", "password": password})

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt("wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in text(response)
    assert attempt("wrong").status_code == 429
    locked = attempt(PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in text(locked)
    assert client.get(LIST).status_code == 302


def test_an_overlong_interaction_summary_is_refused_and_nothing_is_saved(client, db):
    from contacts.models import Interaction

    owner = factories.rm(username="rm_long_text")
    person = factories.make_contact(owner=owner)
    client.force_login(owner)
    response = client.post(
        f"/contacts/{person.pk}/timeline/add/", {"channel": "call", "summary": "x" * 5001}
    )
    assert response.status_code == 422
    assert "at most 5000 characters" in response.content.decode()
    assert not Interaction.objects.filter(contact=person).exists()
