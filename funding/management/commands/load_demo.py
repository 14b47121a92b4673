from django.core.management.base import BaseCommand

from funding.demo import load_demo_data


class Command(BaseCommand):
    help = "Load (or bring up to date) the illustrative Khénifra demo dataset. Safe to run again."

    def handle(self, *args, **options):
        counts = load_demo_data()
        self.stdout.write(
            "demo data: created {created}, updated {updated}, unchanged {unchanged}".format(**counts)
        )
