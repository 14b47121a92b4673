"""Importing and exporting the projects workbook and the holders list (spec: import-format.md).

The one entry point for the admin (through funding/resources.py) and the command line:
funding/workbook.py reads a file, funding/importers.py checks its rows and writes them,
and this module runs an import as one transaction (all rows or none), serialised with
other imports, recorded as an ImportBatch. Exports write the same format back.
"""

import csv
import datetime
import io
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperatives.models import Commune, Sector
from funding import bulk_writes, workbook
from funding.bulk_writes import BATCH_SIZE
from funding.importers import Errors, HolderImport, ProjectImport, StoredRows
from funding.models import ImportBatch, Programme
from funding.queries import invalidate_summary_cache
from funding.workbook import HOLDER_TYPE_NAMES, HOLDERS, PROJECTS, STATUS_NAMES
from indh_site.exports import cell_text
from indh_site.money import format_mad, isolate, join_items

logger = logging.getLogger(__name__)

# Imports are serialised (the second waits for the first to commit, then sees its rows);
# past this wait it gives up with a clear message instead of hanging the request.
LOCK_WAIT = "30s"
IMPORT_LOCK_KEY = 0x494E4448  # "INDH": any constant shared by every app server


@dataclass
class ImportResult:
    """What an import did, or would do (dry run), or why it refused the file."""

    kind: str
    file_name: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # {"<province id>": {"created": n, "updated": n, "unchanged": n}}, kept on the ImportBatch
    province_counts: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # workbook.RowError, the first MAX_LISTED_ERRORS
    error_count: int = 0
    warnings: list = field(default_factory=list)
    preview: list = field(default_factory=list)  # (row, code or name, title, action) of the first rows
    sheet_name: str = ""
    header_row: int | None = None  # where the table starts, to mark the errors' cells (funding.annotate)
    # workbook.check_totals(): the amounts of the totals lines against the rows (None: no such line)
    total_line: dict | None = None
    batch: ImportBatch | None = None
    gaps: int = 0  # projects whose shares add up to less than their total cost
    # Holders the rows create, and existing holders they name (projects workbook); the new ones
    # as (row, name, type, commune, registration number), the first importers.NEW_HOLDERS_LISTED.
    holders_created: int = 0
    holders_matched: int = 0
    new_holders: list = field(default_factory=list)
    beyond_rules: list = field(default_factory=list)  # codes of projects beyond their programme's rules
    timings: dict = field(default_factory=dict)  # seconds per step, for bench/ and -v 2

    @property
    def ok(self):
        return not self.error_count

    @property
    def unlisted_errors(self):
        return self.error_count - len(self.errors)

    @property
    def total_line_notes(self):
        """[(is_warning, text)] of the totals line check, in the active language."""
        return total_line_messages(self.total_line)

    def summary(self):
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}"
        )

    def holders_summary(self):
        """The command line's second line, in English like summary() (scripts read both)."""
        return f"holders: created {self.holders_created}, matched {self.holders_matched}"

    @property
    def unlisted_new_holders(self):
        return self.holders_created - len(self.new_holders)


def import_workbook(*, file, file_name, user=None, dry_run=False):
    """Import a projects workbook (path, bytes or file object): every row or none.

    Returns an ImportResult; ``dry_run`` checks everything and counts what would change
    without writing. Nothing raises for a bad file: the result lists its errors.
    """
    return _read_and_import(PROJECTS, file, file_name, user, dry_run)


def import_holders(*, file, file_name, user=None, dry_run=False):
    """Import a holders list (.xlsx or .csv): every row or none, like import_workbook."""
    return _read_and_import(HOLDERS, file, file_name, user, dry_run)


def _read_and_import(table, file, file_name, user, dry_run):
    def read(meanwhile=None):
        return workbook.read_table(file, table=table, file_name=file_name, meanwhile=meanwhile)

    return _import(table, read, file_name, user, dry_run)


def import_sheet(*, sheet, file_name, user=None, dry_run=False):
    """Import rows already read by workbook.read_table (projects or holders)."""
    return _import(sheet.table, lambda meanwhile=None: sheet, file_name, user, dry_run)


def rejected_result(*, kind, file_name, errors, dry_run=False):
    """The ImportResult of a file refused as a whole (``errors``: workbook.RowError)."""
    result = ImportResult(kind=kind, file_name=file_name, dry_run=dry_run)
    Errors(result).extend(errors)
    return result


def _import(table, read, file_name, user, dry_run):
    """``read(meanwhile=None)`` gives the file's workbook.Sheet (see workbook.read_table)."""
    importer_class = HolderImport if table is HOLDERS else ProjectImport
    with workbook.no_cycle_collection():
        try:
            return _import_rows(importer_class, table, read, file_name, user, dry_run)
        except workbook.WorkbookError as exc:
            return rejected_result(kind=table.kind, file_name=file_name, errors=exc.errors, dry_run=dry_run)


def _import_rows(importer_class, table, read, file_name, user, dry_run):
    result = ImportResult(kind=table.kind, file_name=str(file_name)[:255], dry_run=dry_run)
    errors = Errors(result)
    clock = _Clock(result.timings)

    def start(sheet, **options):
        clock.tick("read")
        result.skipped = len(sheet.skipped)
        result.sheet_name = sheet.name
        result.header_row = sheet.header_row
        return importer_class(sheet, user, result, errors, **options)

    # Saving a projects workbook on PostgreSQL, the rows are checked and planned while the new
    # projects stream to the database (ProjectImport.stream); otherwise checked, then planned.
    streaming = not dry_run and importer_class.can_stream()
    importer = None
    if not streaming:
        importer = start(read())
        importer.read()
        clock.tick("check")
    # Rows with wrong cells are left out of the plan, which still checks the others against
    # the database, so the official sees every error at once.
    saving = not dry_run and not errors
    try:
        with transaction.atomic():
            if saving:
                _lock_imports()
                bulk_writes.check_constraints_now()
                clock.tick("lock")
            if streaming:
                # The file is read once the lock is held, so that the projects and holders its
                # rows are checked against load while python-calamine parses the sheet.
                stored = StoredRows()
                importer = start(read(meanwhile=stored.load), stored=stored)
                importer.stream()
                clock.tick("check/plan/new projects")
            else:
                importer.plan()
                clock.tick("plan")
            if not errors:
                result.total_line = workbook.check_totals(importer.sheet)
            if saving and not errors:
                result.batch = ImportBatch.objects.create(
                    kind=table.kind,
                    file_name=result.file_name,
                    user=user if user is not None and user.pk else None,
                    created=result.created,
                    updated=result.updated,
                    unchanged=result.unchanged,
                    skipped=result.skipped,
                    province_counts=result.province_counts,
                    warnings={"total_line": result.total_line} if result.total_line else {},
                    holders_created=result.holders_created,
                    holders_matched=result.holders_matched,
                    beyond_programme_rules=len(result.beyond_rules),
                )
                importer.write(result.batch)
                invalidate_summary_cache()
            elif streaming and errors:
                raise _Rejected  # undo the rows streamed before the first error
        if result.batch is not None:
            clock.tick("save")
    except _Rejected:
        pass
    except _LockTimeout:
        errors.add(
            None, "", None, _("Another import is being saved. Wait a minute and import the file again.")
        )
    except IntegrityError as exc:
        # The plan was checked, so only a change made meanwhile outside imports gets here.
        logger.warning("Import of %s refused by the database: %s", file_name, exc)
        errors.add(
            None,
            "",
            None,
            _(
                "The database refused the import, probably because the same data was changed at the same "
                "time. Nothing was saved: import the file again."
            ),
        )
    except DatabaseError as exc:
        logger.warning("Import of %s stopped by a database error: %s", file_name, exc)
        errors.add(
            None,
            "",
            None,
            _(
                "The database could not complete the import (%(error)s). "
                "Nothing was saved: import the file again."
            )
            % {"error": type(exc).__name__},
        )
    if errors:
        result.total_line = None
        result.created = result.updated = result.unchanged = 0
        result.province_counts = {}
        result.holders_created = result.holders_matched = 0
        result.new_holders, result.beyond_rules = [], []
        result.batch = None
        if importer is not None:
            result.errors.sort(key=lambda error: (error.row or 0, importer.column_order(error.column)))
    else:
        _add_warnings(importer.sheet, result)
    return result


def total_line_messages(total_line):
    """workbook.check_totals()'s finding in the active language: [(is_warning, text)], one line when the
    totals lines match the rows, else one warning per column that does not."""
    if not total_line:
        return []
    if not total_line["mismatches"]:
        count = total_line["checked"]
        return [
            (
                False,
                ngettext(
                    "total line: matches the rows (%(count)s column checked)",
                    "total line: matches the rows (%(count)s columns checked)",
                    count,
                )
                % {"count": count},
            )
        ]
    messages = []
    for mismatch in total_line["mismatches"]:
        on_line = Decimal(mismatch["on_line"])
        from_rows = Decimal(mismatch["from_rows"])
        messages.append(
            (
                True,
                _(
                    'Total line (row %(row)s), column "%(column)s": %(on_line)s on the line, '
                    "%(from_rows)s from the rows (difference %(difference)s)."
                )
                % {
                    "row": mismatch["row"],
                    "column": isolate(mismatch["column"]),
                    "on_line": format_mad(on_line),
                    "from_rows": format_mad(from_rows),
                    "difference": format_mad(abs(on_line - from_rows)),
                },
            )
        )
    return messages


def _add_warnings(sheet, result):
    if sheet.ignored:
        result.warnings.append(workbook.ignored_columns_warning(sheet.ignored))
    if result.gaps and result.dry_run:
        result.warnings.append(
            ngettext(
                "%(count)s project has contributions that add up to less than its total cost: "
                "it is imported and listed on the data-quality page.",
                "%(count)s projects have contributions that add up to less than their total cost: "
                "they are imported and listed on the data-quality page.",
                result.gaps,
            )
            % {"count": result.gaps}
        )
    elif result.gaps:
        # Once saved, the sentence is in the past: Arabic says «سيُستورد» (will be) in the preview only.
        result.warnings.append(
            ngettext(
                "%(count)s project has contributions that add up to less than its total cost: "
                "it was imported and is listed on the data-quality page.",
                "%(count)s projects have contributions that add up to less than their total cost: "
                "they were imported and are listed on the data-quality page.",
                result.gaps,
            )
            % {"count": result.gaps}
        )
    if result.beyond_rules:
        result.warnings.append(_beyond_rules_warning(result.beyond_rules, result.dry_run))


LISTED_BEYOND_RULES = 10


def _beyond_rules_warning(codes, dry_run):
    """One warning for the projects beyond their programme's rules, naming the first few."""
    listed = join_items(isolate(code) for code in codes[:LISTED_BEYOND_RULES])
    if len(codes) > LISTED_BEYOND_RULES:
        listed += "…"
    values = {"count": workbook.grouped(len(codes)), "codes": listed}
    if dry_run:
        return (
            ngettext(
                "%(count)s project goes beyond its programme's rules (maximum INDH share or amount per "
                "project): %(codes)s. It is imported and listed on the data-quality page.",
                "%(count)s projects go beyond their programme's rules (maximum INDH share or amount per "
                "project): %(codes)s. They are imported and listed on the data-quality page.",
                len(codes),
            )
            % values
        )
    return (
        ngettext(
            "%(count)s project goes beyond its programme's rules (maximum INDH share or amount per "
            "project): %(codes)s. It was imported and is listed on the data-quality page.",
            "%(count)s projects go beyond their programme's rules (maximum INDH share or amount per "
            "project): %(codes)s. They were imported and are listed on the data-quality page.",
            len(codes),
        )
        % values
    )


class _LockTimeout(Exception):
    pass


class _Rejected(Exception):
    """Rolls back an import whose rows showed errors after some were written."""


class _Clock:
    """Seconds spent in each step of an import, kept on its result."""

    def __init__(self, timings):
        self.timings = timings
        self.last = time.perf_counter()

    def tick(self, step):
        now = time.perf_counter()
        self.timings[step] = now - self.last
        self.last = now


def _lock_imports():
    """Serialise imports on PostgreSQL with a transaction-level advisory lock.

    Two imports at once would both see a code as new and both insert it; waiting for the
    other import to commit, then reading, makes the second see the first's rows.
    SQLite serialises writing transactions by itself.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
                raise _LockTimeout from exc
            raise
        cursor.execute("SELECT set_config('lock_timeout', '0', true)")


# --- Exports -------------------------------------------------------------------------


def _choice_label(names, value):
    return names.get(value, (value,))[0]


def _commune_names():
    """French name of each commune, or its code when two share that name (so a re-import finds it)."""
    communes = list(Commune.objects.values_list("id", "code", "name_fr"))
    count = {}
    for _pk, _code, name in communes:
        key = workbook.normalise(name)
        count[key] = count.get(key, 0) + 1
    return {pk: name if count[workbook.normalise(name)] == 1 else code for pk, code, name in communes}


def project_rows(queryset):
    """The rows of the projects workbook for ``queryset``, in PROJECTS column order."""
    communes = _commune_names()
    values = queryset.order_by("code").values_list(
        "code",
        "title",
        "holder__name",
        "holder__holder_type",
        "holder__registration_number",
        "sector__name_fr",
        "commune_id",
        "programme__code",
        "year",
        "total_cost",
        "indh_contribution",
        "partner_contribution",
        "holder_contribution",
        "status",
        "agreement_signed_on",
        "jobs_created",
        "holder__members_total",
    )
    for row in values.iterator(chunk_size=BATCH_SIZE):
        row = list(row)
        row[3] = _choice_label(HOLDER_TYPE_NAMES, row[3])
        row[6] = communes.get(row[6])
        row[13] = _choice_label(STATUS_NAMES, row[13])
        yield row


def holder_rows(queryset):
    """The rows of the holders list for ``queryset``, in HOLDERS column order (no private field)."""
    communes = _commune_names()
    values = queryset.order_by("name", "pk").values_list(
        "name",
        "holder_type",
        "registration_number",
        "commune_id",
        "main_sector__name_fr",
        "created_on",
        "members_total",
        "members_women",
        "members_under_35",
    )
    for row in values.iterator(chunk_size=BATCH_SIZE):
        row = list(row)
        row[1] = _choice_label(HOLDER_TYPE_NAMES, row[1])
        row[3] = communes.get(row[3])
        yield row


def export_projects(*, queryset, fmt):
    """The projects of ``queryset`` as a workbook in the import format: bytes of an .xlsx or .csv."""
    return write_table(PROJECTS, project_rows(queryset.select_related(None)), fmt=fmt)


def export_holders(*, queryset, fmt):
    return write_table(HOLDERS, holder_rows(queryset), fmt=fmt)


def write_table(table, rows, *, fmt):
    """Write ``rows`` under the table's French headers. Text that a spreadsheet would run as a
    formula is neutralised; numbers and dates stay numbers and dates."""
    headers = [column.fr for column in table.columns]
    if fmt == "csv":
        return _write_csv(headers, rows)
    if fmt == "xlsx":
        return _write_xlsx(table, headers, rows)
    raise ValueError(f"unknown format {fmt!r}")


def _write_csv(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else cell_text(value) for value in row])
    # With a byte-order mark, Excel opens UTF-8 (Arabic names) correctly.
    return buffer.getvalue().encode("utf-8-sig")


AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"


def _write_xlsx(table, headers, rows, *, lists=False):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.sheet_names[0])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    amount_keys = {"total_cost", "indh_contribution", "partner_contribution", "holder_contribution"}
    formats = [AMOUNT_FORMAT if column.key in amount_keys else None for column in table.columns]
    for row in rows:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            if isinstance(value, str):
                value = cell_text(value, xlsx=True)
            elif isinstance(value, datetime.date):
                number_format = DATE_FORMAT
            if number_format is None:
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
        sheet.append(cells)
    if lists:
        _write_lists(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_lists(book):
    """A second sheet with the accepted values, in French and Arabic, for the empty template."""
    sheet = book.create_sheet(_("Accepted values"))
    sheet.append([_("Column"), _("French"), _("Arabic"), _("Code")])
    for sector in Sector.objects.all():
        sheet.append([PROJECTS.column("sector").fr, sector.name_fr, sector.name_ar, sector.code])
    for commune in Commune.objects.order_by("name_fr"):
        sheet.append([PROJECTS.column("commune").fr, commune.name_fr, commune.name_ar, commune.code])
    for programme in Programme.objects.all():
        sheet.append([PROJECTS.column("programme").fr, programme.name_fr, programme.name_ar, programme.code])
    for column, names in (("holder_type", HOLDER_TYPE_NAMES), ("status", STATUS_NAMES)):
        for code, (french, arabic) in names.items():
            sheet.append([PROJECTS.column(column).fr, french, arabic, code])


def projects_template():
    """An empty projects workbook (.xlsx): the header row, and the accepted values on a second sheet."""
    return _write_xlsx(PROJECTS, [column.fr for column in PROJECTS.columns], [], lists=True)


def holders_template():
    return _write_xlsx(HOLDERS, [column.fr for column in HOLDERS.columns], [])
