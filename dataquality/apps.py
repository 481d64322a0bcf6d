from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataQualityConfig(AppConfig):
    name = "dataquality"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        from dataquality import jobs, personal_data

        personal_data.register_all()
        jobs.register_all()
