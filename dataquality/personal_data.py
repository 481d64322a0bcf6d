"""The dataquality app's entries in the personal-data registry (see ``compliance.registry``).

An issue, a review task or a verification result says something about a person ("deceased",
"email bounced"), so each row is personal data and goes with the contact on erasure.
"""

from django.utils.translation import gettext_lazy as _

from compliance import registry


def register_all() -> None:
    from dataquality import models

    registry.register(
        models.QualityIssue,
        category=_("Data-quality findings"),
        contact_path="contact",
        fields={
            "rule": "delete_row",
            "message": "delete_row",
            "detected_on": "delete_row",
            "stale_since": "delete_row",
        },
        non_personal=("severity",),
    )
    registry.register(
        models.ReviewTask,
        category=_("Data-quality findings"),
        contact_path="contact",
        fields={"rule": "delete_row", "due_on": "delete_row"},
    )
    registry.register(
        models.VerificationResult,
        category=_("Verification of contact details"),
        contact_path="contact",
        fields={"outcome": "delete_row", "detail": "delete_row", "checked_at": "delete_row"},
        non_personal=("source",),
    )
    registry.register(
        models.DeceasedCandidate,
        category=_("Possible death (from a deceased list)"),
        contact_path="contact",
        fields={"deceased_on": "delete_row", "list_import": "delete_row"},
        non_personal=("status",),
    )
    registry.declare_no_personal_data(
        models.QualityRun, "counts of a scoring run, no contact named"
    )
    registry.declare_no_personal_data(
        models.QualitySnapshot, "per-RM counts after a run, no contact named"
    )
    registry.declare_no_personal_data(
        models.ListImport, "counts of an imported list; the rows are not kept"
    )
