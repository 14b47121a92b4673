"""django-import-export's side of the projects workbook.

The library runs the admin's upload → preview → confirm steps; the format classes read
files with funding.workbook (python-calamine, the spec's leniency) and the resources hand
the rows to funding.services, so the admin and the command line share one set of rules
and one all-or-nothing write. The library's own row-by-row import (exact header names,
numbers read by the request's locale, one query and one save per row) is not used.
"""

import tablib
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.exceptions import ImportError as ImportExportError
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from funding import services, workbook
from funding.workbook import PROJECTS
from indh_site.exports import cell_text


def sheet_dataset(sheet):
    """A tablib Dataset of the rows found in a file, carrying the Sheet for the resource."""
    dataset = tablib.Dataset(headers=["row", *(sheet.header(column.key) for column in sheet.table.columns)])
    for number, values in sheet.rows:
        dataset.append((number, *values))
    dataset.sheet = sheet
    return dataset


class WorkbookXLSX(base_formats.XLSX):
    """Excel workbooks read by funding.workbook: header row under titles, lenient headers."""

    table = PROJECTS

    def create_dataset(self, in_stream):
        return sheet_dataset(workbook.read_table(in_stream, table=self.table, file_name="upload.xlsx"))


class WorkbookCSV(base_formats.CSV):
    """CSV files (UTF-8 or Windows-1252, separated by ; , or tab) read by funding.workbook."""

    table = PROJECTS

    # Kept as bytes from upload to reading: funding.workbook decodes it (UTF-8 or Windows-1252).
    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return sheet_dataset(workbook.read_table(in_stream, table=self.table, file_name="upload.csv"))


class WorkbookResult(Result):
    """The library's Result, filled from the service's ImportResult (``outcome``)."""

    def __init__(self, outcome):
        super().__init__()
        self.outcome = outcome
        self.totals[RowResult.IMPORT_TYPE_NEW] = outcome.created
        self.totals[RowResult.IMPORT_TYPE_UPDATE] = outcome.updated
        self.totals[RowResult.IMPORT_TYPE_SKIP] = outcome.unchanged + outcome.skipped
        self.totals[RowResult.IMPORT_TYPE_INVALID] = outcome.error_count
        self.total_rows = outcome.created + outcome.updated + outcome.unchanged + outcome.skipped

    def has_errors(self):
        return not self.outcome.ok

    def has_validation_errors(self):
        return False


class WorkbookResource(resources.Resource):
    """Import and export of one table of funding.workbook, delegated to funding.services."""

    table = PROJECTS

    @classmethod
    def get_display_name(cls):
        return getattr(cls._meta, "name", None) or cls.__name__

    def get_user_visible_fields(self):
        # The columns as the import page lists them: the spec's French headers.
        return [Field(attribute=column.key, column_name=column.fr) for column in self.table.columns]

    def get_export_order(self):
        return [column.key for column in self.table.columns]

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """Import every row of ``dataset`` or none (always in one transaction, whatever use_transactions)."""
        file_name = kwargs.get("file_name") or ""
        sheet = getattr(dataset, "sheet", None)
        try:
            if sheet is None:  # a Dataset built elsewhere: its first row is the header row
                sheet = workbook.read_rows([dataset.headers, *dataset], table=self.table, sheet_name="")
        except workbook.WorkbookError as exc:
            outcome = services.rejected_result(
                kind=self.table.kind, file_name=file_name, errors=exc.errors, dry_run=dry_run
            )
        else:
            outcome = services.import_sheet(
                sheet=sheet, file_name=file_name, user=kwargs.get("user"), dry_run=dry_run
            )
        if raise_errors and not outcome.ok:
            raise ImportExportError("; ".join(str(error) for error in outcome.errors))
        return WorkbookResult(outcome)

    def rows(self, queryset):
        return services.project_rows(queryset)

    def export(self, queryset=None, **kwargs):
        """The rows in the import format (French headers), for the library's export formats."""
        dataset = tablib.Dataset(headers=[column.fr for column in self.table.columns])
        for row in self.rows(queryset):
            dataset.append([cell_text(value) for value in row])
        return dataset


class ProjectResource(WorkbookResource):
    class Meta:
        name = _("Projects workbook")
