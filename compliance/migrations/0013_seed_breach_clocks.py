from django.db import migrations

CLOCKS = [
    {
        "code": "gdpr-authority",
        "label_en": "GDPR: notify the supervisory authority (Art. 33)",
        "label_zh_hant": "GDPR：通報主管機關（第 33 條）",
        "recipient": "authority",
        "hours": 72,
        "position": 10,
    },
    {
        "code": "pdpa-subjects",
        "label_en": "PDPA: notify the people affected (Art. 12)",
        "label_zh_hant": "個資法：通知當事人（第 12 條）",
        "recipient": "subjects",
        "hours": 72,
        "position": 20,
    },
]


def seed_breach_clocks(apps, schema_editor):
    BreachClockRule = apps.get_model("compliance", "BreachClockRule")
    for values in CLOCKS:
        code = values["code"]
        BreachClockRule.objects.get_or_create(
            code=code, defaults={k: v for k, v in values.items() if k != "code"}
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0012_incident_register")]

    operations = [migrations.RunPython(seed_breach_clocks, migrations.RunPython.noop)]
