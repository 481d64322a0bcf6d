"""Bounce and deceased lists: encodings, matching, and review of weak matches."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Contact, ContactPoint
from contacts.tests import factories
from dataquality.models import DeceasedCandidate, ListImport
from dataquality.services.imports import (
    bounce_list_import,
    deceased_candidate_decide,
    deceased_list_import,
    decode_csv,
)
from dataquality.tests.factories import contact_with_email

pytestmark = pytest.mark.django_db


def test_utf8_with_and_without_bom_and_big5_are_read():
    text = "name\n陳怡君\n"
    assert decode_csv(text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_csv(text.encode("cp950")) == (text, "cp950")


def test_a_file_in_another_encoding_is_refused_with_a_clear_error():
    with pytest.raises(ValidationError, match="UTF-8"):
        decode_csv("name\n\udcff".encode("utf-8", "surrogateescape") + b"\xff\xff\xff")


def test_a_bounce_list_marks_matches_and_reports_counts(compliance_user, rm_user):
    contact = contact_with_email(owner=rm_user, value="grace@bank.example")
    data = "\ufeffEmail\ngrace@bank.example\nnobody@bank.example\nnot-an-email\n".encode()
    report = bounce_list_import(actor=compliance_user, data=data)
    record = report.list_import
    assert (record.rows, record.matched, record.marked, record.unmatched, record.invalid) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert record.encoding == "utf-8-sig"
    assert ContactPoint.objects.get(contact=contact).status == "bounced"


def test_a_bounce_list_without_an_email_column_is_refused(compliance_user):
    with pytest.raises(ValidationError, match="email"):
        bounce_list_import(actor=compliance_user, data=b"address\nx@y.z\n")
    assert not ListImport.objects.exists()


def test_a_national_id_match_marks_deceased_at_once(compliance_user, rm_user):
    contact = factories.make_contact(
        owner=rm_user, national_id="A123456789", national_id_country="TW"
    )
    data = "national_id,date_of_death\nA123456789,2026-01-05\n".encode("cp950")
    report = deceased_list_import(actor=compliance_user, data=data)
    contact.refresh_from_db()
    assert contact.is_deceased and contact.deceased_on == date(2026, 1, 5)
    assert (report.list_import.marked, report.list_import.encoding) == (1, "utf-8-sig")


def test_a_name_and_birth_date_match_goes_to_review_never_straight_to_deceased(
    compliance_user, rm_user
):
    contact = factories.make_contact(
        owner=rm_user,
        family_name="",
        given_name="",
        name_zh="陳怡君",
        date_of_birth=date(1950, 3, 4),
    )
    factories.make_contact(owner=rm_user, name_zh="陳怡君", date_of_birth=date(1960, 1, 1))
    data = "name,date_of_birth\n陳怡君,1950-03-04\n".encode("cp950")
    report = deceased_list_import(actor=compliance_user, data=data)
    assert report.list_import.encoding == "cp950"
    assert report.list_import.for_review == 1 and report.list_import.marked == 0
    assert not Contact.objects.get(pk=contact.pk).is_deceased
    candidate = DeceasedCandidate.objects.get()
    assert candidate.contact_id == contact.pk
    # Importing the same list again adds no second candidate.
    deceased_list_import(actor=compliance_user, data=data)
    assert DeceasedCandidate.objects.count() == 1
    deceased_candidate_decide(actor=compliance_user, candidate=candidate, confirm=True)
    assert Contact.objects.get(pk=contact.pk).is_deceased
    with pytest.raises(ValidationError):
        deceased_candidate_decide(actor=compliance_user, candidate=candidate, confirm=False)


def test_a_rejected_match_leaves_the_contact_alone(compliance_user, rm_user):
    contact = factories.make_contact(
        owner=rm_user, name_zh="林志明", date_of_birth=date(1970, 1, 1)
    )
    deceased_list_import(
        actor=compliance_user, data="name,date_of_birth\n林志明,1970-01-01\n".encode()
    )
    candidate = DeceasedCandidate.objects.get()
    deceased_candidate_decide(actor=compliance_user, candidate=candidate, confirm=False)
    candidate.refresh_from_db()
    assert candidate.status == "rejected"
    assert not Contact.objects.get(pk=contact.pk).is_deceased


def test_an_invalid_national_id_is_counted_not_matched(compliance_user):
    report = deceased_list_import(actor=compliance_user, data=b"national_id\nA000000000\n")
    assert report.list_import.invalid == 1 and report.list_import.marked == 0
