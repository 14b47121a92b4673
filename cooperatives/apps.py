from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from cooperatives.search import register_fold


class CooperativesConfig(AppConfig):
    name = "cooperatives"
    verbose_name = _("Holders and territory")

    def ready(self):
        connection_created.connect(register_fold, dispatch_uid="cooperatives.search.register_fold")
