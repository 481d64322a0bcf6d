"""The data-quality screens, scoped by book."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import ContactPoint
from contacts.services.quality import contacts_mark_deceased
from contacts.tests import factories
from dataquality.models import ReviewTask
from dataquality.services.runs import quality_run
from dataquality.tests.factories import contact_with_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_books(rm_user, other_rm):
    mine = contact_with_email(owner=rm_user, family_name="Lin")
    theirs = contact_with_email(owner=other_rm, family_name="Wang")
    contacts_mark_deceased(actor=rm_user, contact_ids=[mine.pk], source="t")
    contacts_mark_deceased(actor=other_rm, contact_ids=[theirs.pk], source="t")
    quality_run(kind="full")
    quality_run(kind="full")
    return mine, theirs


def _number(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}"[^>]*>\s*([^<\s]+)', html)[1]


def test_the_dashboard_shows_an_rm_their_own_book_only(rm_client, scored_books):
    response = rm_client.get(reverse("dataquality:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert _number(html, "dq-total") == "1"
    assert _number(html, "dq-blocking") == "1"
    assert _number(html, "rule-deceased") == "1"
    assert html.count('data-testid="rm-row"') == 1
    assert html.count("<svg") == 3
    assert "<polyline" in html


def test_compliance_sees_every_book_on_the_dashboard(compliance_client, scored_books):
    html = compliance_client.get(reverse("dataquality:dashboard")).content.decode()
    assert _number(html, "dq-total") == "2"
    assert _number(html, "rule-deceased") == "2"
    assert html.count('data-testid="rm-row"') == 2


def test_the_dashboard_has_no_script_or_style_attributes(rm_client, scored_books):
    html = rm_client.get(reverse("dataquality:dashboard")).content.decode()
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_dashboard_reads_in_a_fixed_number_of_queries(
    rm_client, scored_books, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        rm_client.get(reverse("dataquality:dashboard"))


def test_my_tasks_lists_the_rms_tasks_and_marks_one_done(rm_client, rm_user, scored_books):
    mine, theirs = scored_books
    html = rm_client.get(reverse("dataquality:tasks")).content.decode()
    assert html.count('data-testid="task-row"') == 1
    assert mine.display_name in html and theirs.display_name not in html
    task = ReviewTask.objects.get(contact=mine)
    response = rm_client.post(reverse("dataquality:task_complete", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.completed_at is not None and task.completed_by == rm_user


def test_another_rms_task_cannot_be_marked_done(rm_client, scored_books):
    task = ReviewTask.objects.get(contact=scored_books[1])
    response = rm_client.post(reverse("dataquality:task_complete", args=[task.pk]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.completed_at is None


def test_the_contact_panel_shows_score_and_open_issues(rm_client, scored_books):
    mine = scored_books[0]
    mine.refresh_from_db()
    url = reverse("dataquality:contact", args=[mine.pk])
    partial = rm_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert f">{mine.quality_score}<" in partial
    assert "Deceased" in partial
    page = rm_client.get(url).content.decode()
    assert "<html" in page


def test_the_contact_page_loads_the_panel_by_url(rm_client, scored_books):
    mine = scored_books[0]
    html = rm_client.get(reverse("contacts:detail", args=[mine.pk])).content.decode()
    assert f'hx-get="{reverse("dataquality:contact", args=[mine.pk])}"' in html


def test_another_books_contact_panel_is_not_found(rm_client, scored_books):
    url = reverse("dataquality:contact", args=[scored_books[1].pk])
    assert rm_client.get(url).status_code == 404


def test_the_home_page_summarises_my_blocking_contacts(rm_client, scored_books):
    html = rm_client.get(reverse("home")).content.decode()
    assert _number(html, "home-blocking") == "1"


def test_the_contact_list_filters_on_blocking_issues_and_score(rm_client, rm_user, scored_books):
    clean = contact_with_email(owner=rm_user, family_name="Tidy")
    quality_run(kind="incremental")
    url = reverse("contacts:list")
    html = rm_client.get(url, {"blocking": "on"}).content.decode()
    assert scored_books[0].display_name in html and clean.display_name not in html
    clean.refresh_from_db()
    html = rm_client.get(
        url, {"score_min": clean.quality_score, "score_max": clean.quality_score}
    ).content.decode()
    assert clean.display_name in html


def test_a_steward_imports_a_bounce_list_and_sees_the_report(compliance_client, rm_user):
    contact = contact_with_email(owner=rm_user, value="grace@bank.example")
    upload = SimpleUploadedFile("bounces.csv", b"email\ngrace@bank.example\n", "text/csv")
    response = compliance_client.post(
        reverse("dataquality:imports"), {"kind": "bounces", "file": upload}
    )
    assert response.status_code == 200
    assert 'data-testid="import-report"' in response.content.decode()
    assert ContactPoint.objects.get(contact=contact).status == "bounced"


def test_a_bad_file_is_refused_with_a_clear_error(compliance_client):
    upload = SimpleUploadedFile("x.csv", b"address\nfoo\n", "text/csv")
    response = compliance_client.post(
        reverse("dataquality:imports"), {"kind": "bounces", "file": upload}
    )
    assert response.status_code == 422
    assert "email" in response.content.decode()


def test_a_steward_confirms_a_possible_deceased_match(compliance_client, rm_user):
    from datetime import date

    contact = factories.make_contact(
        owner=rm_user, name_zh="林志明", date_of_birth=date(1970, 1, 1)
    )
    upload = SimpleUploadedFile(
        "d.csv", "name,date_of_birth\n林志明,1970-01-01\n".encode(), "text/csv"
    )
    compliance_client.post(reverse("dataquality:imports"), {"kind": "deceased", "file": upload})
    html = compliance_client.get(reverse("dataquality:candidates")).content.decode()
    assert html.count('data-testid="candidate-row"') == 1
    candidate = contact.deceased_candidates.get()
    compliance_client.post(
        reverse("dataquality:candidate_decide", args=[candidate.pk]), {"decision": "confirm"}
    )
    contact.refresh_from_db()
    assert contact.is_deceased


def test_the_full_panel_page_is_audited_as_a_view(rm_client, rm_user, scored_books):
    from compliance.models import AuditAction, AuditEvent

    mine = scored_books[0]
    rm_client.get(reverse("dataquality:contact", args=[mine.pk]))
    assert AuditEvent.objects.filter(
        action=AuditAction.CONTACT_VIEWED, actor=rm_user, contact_id=mine.pk
    ).exists()


def test_a_team_lead_sees_the_teams_books(client, rm_user, other_rm, scored_books):
    lead = factories.team_lead(username="lead_erin")
    factories.team_of(lead, rm_user)
    client.force_login(lead)
    html = client.get(reverse("dataquality:dashboard")).content.decode()
    assert _number(html, "dq-total") == "1"
