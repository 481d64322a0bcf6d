"""Retention: DPO-set periods per category, a preview of the next run, and the nightly job
that erases through the one erasure service."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from compliance.erasure import retention
from compliance.models import AuditAction, AuditEvent, ErasureRecord, LegalHold, RetentionPolicy
from contacts.models import LifecycleStage
from contacts.services import details
from contacts.tests import factories
from core import jobs

pytestmark = pytest.mark.django_db


def _activate(category: str, years: int) -> RetentionPolicy:
    policy = RetentionPolicy.objects.get(category=category)
    policy.years, policy.is_active = years, True
    return retention.retention_policy_save(actor=None, policy=policy)


def _run() -> int:
    return jobs.run_job("compliance.apply_retention", triggered_by="beat").counts["changed"]


@pytest.fixture
def book(rm_user):
    """An old silent prospect, an old prospect met recently, a new prospect, a former client
    past five years and one within them."""
    today = factories.today()
    with time_machine.travel(today - datetime.timedelta(days=4 * 365)):
        silent = factories.make_contact(owner=rm_user, family_name="Silent")
        met = factories.make_contact(owner=rm_user, family_name="Met")
    details.interaction_add(actor=rm_user, contact=met, channel="call", summary="Call")
    new = factories.make_contact(owner=rm_user, family_name="New")
    gone = factories.make_contact(
        owner=rm_user,
        family_name="Gone",
        lifecycle_stage=LifecycleStage.FORMER_CLIENT,
        relationship_started_on=today - datetime.timedelta(days=4000),
        relationship_ended_on=today - datetime.timedelta(days=6 * 365),
    )
    recent = factories.make_contact(
        owner=rm_user,
        family_name="Recent",
        lifecycle_stage=LifecycleStage.FORMER_CLIENT,
        relationship_started_on=today - datetime.timedelta(days=4000),
        relationship_ended_on=today - datetime.timedelta(days=2 * 365),
    )
    return {"silent": silent, "met": met, "new": new, "gone": gone, "recent": recent}


def test_the_seeded_policies_start_inactive_and_erase_nothing(book):
    assert set(RetentionPolicy.objects.values_list("category", "years", "is_active")) == {
        ("prospect_inactive", 3, False),
        ("former_client", 5, False),
    }
    assert _run() == 0
    assert not ErasureRecord.objects.exists()


def test_the_preview_shows_exactly_whom_the_next_run_erases(book):
    _activate("prospect_inactive", 3)
    _activate("former_client", 5)

    previews = {p.policy.category: p for p in retention.retention_preview()}

    assert previews["prospect_inactive"].sample == [book["silent"].pk]
    assert previews["former_client"].sample == [book["gone"].pk]

    assert _run() == 2
    assert set(ErasureRecord.objects.values_list("contact_id", flat=True)) == {
        book["silent"].pk,
        book["gone"].pk,
    }
    for key in ("met", "new", "recent"):
        book[key].refresh_from_db()
        assert book[key].family_name == key.capitalize()
    # Nothing left to do: a second run erases no one.
    assert _run() == 0
    assert all(p.count == 0 for p in retention.retention_preview())


def test_retention_erasure_respects_legal_holds(book, compliance_user):
    from compliance.erasure.services import legal_hold_place

    legal_hold_place(actor=compliance_user, contact=book["silent"], kind="dispute", reason="Case 5")
    _activate("prospect_inactive", 3)

    assert _run() == 1
    record = ErasureRecord.objects.get()
    assert record.status == "held"
    book["silent"].refresh_from_db()
    assert book["silent"].family_name == "Silent"
    assert LegalHold.objects.count() == 1


def test_saving_a_policy_is_audited(compliance_user):
    _activate("former_client", 7)
    event = AuditEvent.objects.get(action=AuditAction.RETENTION_POLICY_SAVED)
    assert event.detail == {
        "category": "former_client",
        "years": 7,
        "is_active": True,
        "created": False,
    }


def test_the_dpo_edits_a_policy_and_sees_the_preview_in_the_console(compliance_client, book):
    policy = RetentionPolicy.objects.get(category="prospect_inactive")
    response = compliance_client.post(
        reverse("admin:compliance_retentionpolicy_change", args=[policy.pk]),
        {"years": 3, "is_active": "on"},
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.is_active

    response = compliance_client.get(reverse("admin:compliance_retentionpolicy_preview"))
    assert response.status_code == 200
    assert f">{book['silent'].pk}<" in response.content.decode()
    assert not ErasureRecord.objects.exists()
