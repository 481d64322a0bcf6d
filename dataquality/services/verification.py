"""Running a verification provider over contact points and recording what it said."""

from collections import Counter

from django.db import transaction

from compliance import audit
from contacts.models import ContactPoint, ContactPointStatus
from contacts.services.quality import contact_points_set_status
from dataquality import verification
from dataquality.models import VerificationResult


@transaction.atomic
def verify_points(
    *, point_ids: list[int], provider: verification.Provider | None = None
) -> dict[str, int]:
    """Check the email points' domains once each, record a result per point (source, time,
    outcome), and mark points at a domain that no longer exists invalid, through the
    contacts service. Returns the count of each outcome."""
    provider = provider or verification.get_provider()
    rows = list(
        ContactPoint.objects.filter(pk__in=point_ids, kind="email").values_list(
            "pk", "contact_id", "normalized"
        )
    )
    domain_of = {
        pk: (value.rsplit("@", 1)[-1].lower() if "@" in value else "") for pk, _, value in rows
    }
    verdicts = provider.check_domains(d for d in domain_of.values() if d)
    results, undeliverable = [], []
    for pk, contact_id, _value in rows:
        verdict = verdicts.get(domain_of[pk]) or verification.Verdict(
            verification.OUTCOME_UNDELIVERABLE, "no domain"
        )
        results.append(
            VerificationResult(
                contact_id=contact_id,
                contact_point_id=pk,
                source=provider.source,
                outcome=verdict.outcome,
                detail=verdict.detail[:200],
            )
        )
        if verdict.outcome == verification.OUTCOME_UNDELIVERABLE:
            undeliverable.append(pk)
    VerificationResult.objects.bulk_create(results)
    outcomes = Counter(r.outcome for r in results)
    if results:
        audit.verification_recorded(
            contact_ids={r.contact_id for r in results},
            source=provider.source,
            outcomes=dict(outcomes),
        )
    if undeliverable:
        contact_points_set_status(
            actor=None,
            point_ids=undeliverable,
            status=ContactPointStatus.INVALID,
            source=f"verification:{provider.source}",
        )
    return dict(outcomes)
