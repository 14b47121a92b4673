"""python manage.py import_projects FILE [--dry-run] [--user USERNAME] [--annotate OUT.xlsx]"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funding import annotate, services
from funding.workbook import PROJECTS


class Command(BaseCommand):
    help = (
        "Import a projects workbook (.xlsx or .csv, spec: import-format.md): every row or none. "
        "Prints 'created N, updated N, unchanged N, skipped N', then 'holders: created N, matched N'; "
        "on a refused file, one line per error and exit status 1 (with --annotate, the workbook comes "
        "back with its bad cells marked). A totals line is checked against the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the workbook (.xlsx) or CSV file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and count the changes without saving anything",
        )
        parser.add_argument("--user", help="username recorded as the author of the import")
        parser.add_argument(
            "--annotate",
            metavar="OUT.xlsx",
            help="when the file is refused, write it there with each bad cell marked and commented, "
            "and a first sheet listing the errors",
        )

    def handle(self, *args, file, dry_run, user, annotate, **options):
        path = Path(file)
        # Messages in the site's language (LANGUAGE_CODE); the counts line stays as scripts read it.
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        author = None
        if user:
            try:
                author = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("No user named %(user)s") % {"user": user}) from None
        result = services.import_workbook(file=path, file_name=path.name, user=author, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.unlisted_errors:
                self.stderr.write(
                    ngettext(
                        "… and %(count)s more error.", "… and %(count)s more errors.", result.unlisted_errors
                    )
                    % {"count": result.unlisted_errors}
                )
            self.stderr.write(_("Nothing was saved."))
            if annotate:
                self._annotate(path, result, Path(annotate))
            sys.exit(1)
        for warning in result.warnings:
            self.stderr.write(_("warning: %(warning)s") % {"warning": warning})
        self.stdout.write(result.summary())
        # In English too, and second: scripts read the counts line first (bench/import_bench.py).
        self.stdout.write(result.holders_summary())
        for is_warning, message in services.total_line_messages(result.total_line):
            self.stdout.write(_("warning: %(warning)s") % {"warning": message} if is_warning else message)
        if options["verbosity"] >= 2:
            self.stdout.write(
                ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result.timings.items())
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))

    def _annotate(self, path, result, out):
        data = annotate.annotate_workbook(
            source=path,
            file_name=path.name,
            errors=result.errors,
            table=PROJECTS,
            sheet_name=result.sheet_name,
            header_row=result.header_row,
            unlisted=result.unlisted_errors,
        )
        try:
            out.write_bytes(data)
        except OSError as exc:
            self.stderr.write(_("Cannot write %(file)s: %(error)s") % {"file": out, "error": exc.strerror})
            return
        self.stderr.write(_("Annotated workbook written to %(file)s.") % {"file": out})
