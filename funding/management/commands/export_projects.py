"""python manage.py export_projects FILE.xlsx|FILE.csv"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding import services
from funding.models import Project


class Command(BaseCommand):
    help = "Export every project in the projects-workbook format (French headers), re-importable as is."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write: a name ending in .xlsx or .csv")

    def handle(self, *args, file, **options):
        path = Path(file)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError("The file name must end in .xlsx or .csv")
        data = services.export_projects(queryset=Project.objects.all(), fmt=fmt)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror}") from None
        self.stdout.write(f"{Project.objects.count()} projects written to {file}")
