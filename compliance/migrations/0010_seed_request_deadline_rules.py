"""Seed the deadline table with the laws' periods (the DPO edits it in the console).

GDPR Art. 12(3): one month, extendable by two further months. CCPA (Cal. Civ. Code
1798.130, regulations 7021): 45 days, extendable by 45, acknowledged within 10 business
days. Taiwan PDPA Art. 13: 15 days for access and copies, 30 days for correction,
stopping processing and deletion, each extendable once by the same again.
"""

from django.db import migrations

TYPES = ("access", "copy", "rectification", "erasure", "restriction", "objection", "portability")
PDPA_ACCESS_TYPES = ("access", "copy", "portability")


def rules():
    for request_type in TYPES:
        yield "gdpr", request_type, (1, "months"), (2, "months"), None
        yield "ccpa", request_type, (45, "days"), (45, "days"), (10, "business_days")
        days = 15 if request_type in PDPA_ACCESS_TYPES else 30
        yield "pdpa", request_type, (days, "days"), (days, "days"), None


def seed_deadline_rules(apps, schema_editor):
    Rule = apps.get_model("compliance", "RequestDeadlineRule")
    for jurisdiction, request_type, answer, extension, acknowledge in rules():
        Rule.objects.get_or_create(
            jurisdiction=jurisdiction,
            request_type=request_type,
            defaults={
                "answer_amount": answer[0],
                "answer_unit": answer[1],
                "extension_amount": extension[0],
                "extension_unit": extension[1],
                "acknowledge_amount": acknowledge[0] if acknowledge else None,
                "acknowledge_unit": acknowledge[1] if acknowledge else "",
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0009_data_subject_requests"),
    ]

    operations = [migrations.RunPython(seed_deadline_rules, migrations.RunPython.noop)]
