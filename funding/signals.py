"""Keep the cached public figures in step with the data.

Any save or delete of what the summary reads (projects, holders, the reference tables
whose labels and codes it shows) makes the cached summaries stale. Bulk writes send no
signals: the import service calls funding.queries.invalidate_summary_cache() itself.
"""

from django.db.models.signals import post_delete, post_save

from cooperatives.models import Commune, Holder, Province, Region, Sector
from funding.models import Programme, Project
from funding.queries import invalidate_summary_cache

WATCHED_MODELS = (Project, Holder, Sector, Commune, Province, Region, Programme)


def summary_data_changed(sender, **kwargs):
    invalidate_summary_cache()


def connect():
    for model in WATCHED_MODELS:
        for signal in (post_save, post_delete):
            signal.connect(
                summary_data_changed, sender=model, dispatch_uid=f"summary-cache-{model._meta.label}"
            )
