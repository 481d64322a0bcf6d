from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from compliance import jobs, personal_data
        from compliance.requests import executors

        personal_data.register_all()
        jobs.register_all()
        executors.register_all()
