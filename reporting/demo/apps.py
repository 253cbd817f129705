from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data generator; its one model records which workspaces it seeded."""

    name = "reporting.demo"
    label = "demo"
    verbose_name = _("Demo data")
