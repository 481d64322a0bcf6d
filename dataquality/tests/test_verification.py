"""Third-party verification: the DNS provider with a fake resolver (never the network)."""

import pytest

from compliance import registry
from contacts.models import Contact, ContactPoint
from dataquality import verification
from dataquality.models import VerificationResult
from dataquality.services.verification import verify_points
from dataquality.tests.factories import contact_with_email
from dataquality.verification import DnsDeliverability, NoAnswer, NoSuchDomain


def fake_resolver(zone: dict[tuple[str, str], list] | None = None, *, missing=(), failing=()):
    zone = zone or {}

    def resolve(name, record_type):
        if name in missing:
            raise NoSuchDomain(name)
        if name in failing:
            raise TimeoutError(name)
        answers = zone.get((name, record_type))
        if not answers:
            raise NoAnswer(name)
        return answers

    return resolve


def test_a_domain_with_mx_is_deliverable():
    provider = DnsDeliverability(fake_resolver({("bank.example", "MX"): ["10 mx.bank.example"]}))
    assert provider.check_domain("bank.example").outcome == "deliverable"


def test_a_domain_with_only_an_a_record_is_deliverable():
    provider = DnsDeliverability(fake_resolver({("small.example", "A"): ["192.0.2.1"]}))
    verdict = provider.check_domain("small.example")
    assert (verdict.outcome, verdict.detail) == ("deliverable", "A record")


def test_a_missing_domain_or_one_without_records_is_undeliverable():
    provider = DnsDeliverability(fake_resolver(missing={"gone.example"}))
    assert provider.check_domain("gone.example").outcome == "undeliverable"
    assert provider.check_domain("empty.example").outcome == "undeliverable"


def test_a_timeout_cannot_tell():
    provider = DnsDeliverability(fake_resolver(failing={"slow.example"}))
    assert provider.check_domain("slow.example").outcome == "unknown"


@pytest.mark.django_db
def test_results_are_recorded_and_dead_domains_mark_points_invalid(rm_user):
    good = contact_with_email(owner=rm_user, value="a@bank.example")
    bad = contact_with_email(owner=rm_user, value="b@gone.example")
    version = bad.version
    provider = DnsDeliverability(
        fake_resolver({("bank.example", "MX"): ["mx"]}, missing={"gone.example"})
    )
    points = list(ContactPoint.objects.filter(contact__in=[good, bad]).values_list("pk", flat=True))
    outcomes = verify_points(point_ids=points, provider=provider)
    assert outcomes == {"deliverable": 1, "undeliverable": 1}
    result = VerificationResult.objects.get(contact=bad)
    assert (result.source, result.outcome) == ("dns", "undeliverable")
    assert result.checked_at is not None
    assert ContactPoint.objects.get(contact=bad).status == "invalid"
    assert ContactPoint.objects.get(contact=good).status == "valid"
    assert Contact.objects.get(pk=bad.pk).version == version + 1


def test_verification_results_are_registered_as_personal_data():
    entry = registry.entry_for(VerificationResult)
    assert entry is not None and entry.contact_path == "contact"
    assert "outcome" in entry.fields


def test_the_provider_can_be_swapped():
    class Fixed:
        source = "fixed"

        def check_domains(self, domains):
            return {d: verification.Verdict("deliverable") for d in domains}

    previous = verification.set_provider_factory(Fixed)
    try:
        assert verification.get_provider().source == "fixed"
    finally:
        verification.set_provider_factory(previous)


def test_the_check_is_off_in_tests(settings):
    assert settings.DATAQUALITY_DELIVERABILITY_CHECK is False
