"""Default entry rules: what each stage needs, and what waits for a reviewer.

Blocking is kept to what every path can supply when it saves a contact (a name; a client's
date of birth); the rest of a client's profile (national ID, risk assessment, segment,
industry and investment-preference tags, a valid contact point) and a prospect's contact
point and source raise data-quality issues. Administrators tighten them in the console.
"""

from django.db import migrations

REQUIRED = {
    "prospect": {
        "name": "block",
        "contact_point": "issue",
        "acquisition_source": "issue",
    },
    "client": {
        "name": "block",
        "date_of_birth": "block",
        "contact_point": "issue",
        "acquisition_source": "issue",
        "national_id": "issue",
        "risk_assessment": "issue",
        "segment_tag": "issue",
        "industry_tag": "issue",
        "investment_tag": "issue",
    },
    "former_client": {"name": "block"},
}

REVIEWED = {
    "prospect": ["new_contact"],
    "client": [
        "new_contact",
        "names",
        "date_of_birth",
        "national_id",
        "risk_assessment",
        "contact_points",
    ],
    "former_client": ["new_contact"],
}


def seed(apps, schema_editor) -> None:
    """Idempotent: a rule already there (perhaps edited by an administrator) is kept."""
    RequiredFieldRule = apps.get_model("contacts", "RequiredFieldRule")
    ReviewRule = apps.get_model("contacts", "ReviewRule")
    for stage, requirements in REQUIRED.items():
        for requirement, severity in requirements.items():
            RequiredFieldRule.objects.get_or_create(
                lifecycle_stage=stage,
                segment=None,
                requirement=requirement,
                defaults={"severity": severity},
            )
    for stage, subjects in REVIEWED.items():
        for subject in subjects:
            ReviewRule.objects.get_or_create(lifecycle_stage=stage, subject=subject)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0009_entry_rules_and_review")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
