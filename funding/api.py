"""The open-data API (open-data-api.md): GET /api/v1/summary and GET /api/v1/projects.

Read-only, no login. Filters are validated by funding.filters.ProjectFilter; a bad
parameter answers 400 ``{"errors": {param: [messages]}}``, in the language asked for.
Figures come from funding.queries, like the dashboard's.
"""

import contextlib
import csv
import datetime
import tempfile
from decimal import Decimal

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from funding import charts, giving360, open_data, queries, register
from funding.about import open_data_terms, settings_shown
from funding.filters import ProjectFilter
from funding.models import Project
from funding.territory import CENSUS_KEYS, CREDITS
from funding.views import requested_language
from indh_site.exports import cell_text
from indh_site.public_cache import cached_public_answer, conditional_public_answer

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CSV_CHUNK_SIZE = 2000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel opens a UTF-8 CSV as such (and shows Arabic right) only when it starts with a BOM.
CSV_BOM = "\ufeff"
AMOUNT_FORMAT = "#,##0.00"
HEADERS_KEYS, HEADERS_LABELS = "keys", "labels"
# Excel refuses these in a sheet's name, and names longer than 31 characters.
SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


class ApiOptionsForm(forms.Form):
    """The API's parameters that are not filters."""

    format = forms.ChoiceField(
        required=False,
        choices=[("json", "JSON"), ("csv", "CSV"), ("xlsx", "XLSX")],
        label=gettext_lazy("Format"),
    )
    page = forms.IntegerField(required=False, min_value=1, label=gettext_lazy("Page"))
    page_size = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, label=gettext_lazy("Page size")
    )
    # CSV and XLSX: the first row holds the keys (default, for programs) or the columns' names in the
    # language of the labels (the files the public pages offer).
    headers = forms.ChoiceField(
        required=False,
        choices=[(HEADERS_KEYS, HEADERS_KEYS), (HEADERS_LABELS, HEADERS_LABELS)],
        label=gettext_lazy("Column headers"),
    )
    # A spreadsheet set up for French reads "," as the decimal mark and expects ";" between fields.
    sep = forms.ChoiceField(
        required=False, choices=[(",", ","), (";", ";")], label=gettext_lazy("CSV separator")
    )

    def clean(self):
        cleaned_data = super().clean()
        for name in self.fields:
            if len(self.data.getlist(name)) > 1:
                self.add_error(name, _("Give this parameter only once."))
        return cleaned_data


class ProjectsOptionsForm(ApiOptionsForm):
    """/api/v1/projects also takes the register's search, so its downloads hold what it lists."""

    q = forms.CharField(required=False, max_length=100, strip=True, label=gettext_lazy("Search"))
    clean_q = register.RegisterOptionsForm.clean_q


def _parse(request, options_form=ApiOptionsForm):
    """(cleaned filters, cleaned options, errors by parameter)."""
    filterset = ProjectFilter(request.GET, queryset=Project.objects.all())
    options = options_form(request.GET)
    errors = {}
    for form in (filterset.form, options):
        if not form.is_valid():
            for name, messages in form.errors.items():
                errors.setdefault(name, []).extend(str(message) for message in messages)
    if errors:
        return None, None, errors
    return filterset.form.cleaned_data, options.cleaned_data, {}


def _wanted_format(request, options):
    if options.get("format"):
        return options["format"]
    accept = request.headers.get("Accept", "")
    if "text/csv" in accept:
        return "csv"
    if XLSX_MIME in accept:
        return "xlsx"
    return "json"


def _open_data(options_form=ApiOptionsForm):
    """Common to the endpoints: language of labels and messages, and the headers of open data."""

    def decorate(view):
        def wrapper(request):
            lang = requested_language(request)
            with translation.override(lang) if lang else contextlib.nullcontext():
                filters, options, errors = _parse(request, options_form)
                if errors:
                    response = JsonResponse(
                        {"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False}
                    )
                else:
                    response = view(request, filters, options, queries.resolve_language())
                # The language of the labels and messages (?lang=, else the browser's or the cookie's).
                response.headers["Content-Language"] = queries.resolve_language()
            # Public data: any site may fetch it from a browser.
            response.headers["Access-Control-Allow-Origin"] = "*"
            patch_vary_headers(response, ["Accept"] if lang else ["Accept", "Accept-Language", "Cookie"])
            return response

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return require_safe(wrapper)

    return decorate


def _header_row(columns, options, *, summary=False):
    """The first row of a CSV or a sheet: the keys, or (headers=labels) their names in the active language."""
    if options.get("headers") == HEADERS_LABELS:
        return open_data.column_labels(columns, summary=summary)
    return list(columns)


def _sheet_title(name, options):
    if options.get("headers") != HEADERS_LABELS:
        return name
    title = open_data.column_labels([name], summary=True)[0].translate(SHEET_TITLE_FORBIDDEN).strip()
    return title[:31] or name


def jsonable(value):
    """Decimal amounts as strings with two decimals, dates as ISO strings; never a float."""
    if isinstance(value, Decimal):
        return f"{value.quantize(queries.CENT)}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def _text(value):
    """A value as it goes in a CSV: amounts "1234.50", dates ISO, text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, Decimal | datetime.date):
        return jsonable(value)
    return cell_text(value)


# --- /api/v1/summary --------------------------------------------------------------------------

BREAKDOWNS = (
    "by_sector",
    "by_year",
    "by_sector_year",
    "by_commune",
    "by_province",
    "by_programme",
    "by_status",
)
SUMMARY_COLUMNS = (
    "breakdown",
    "code",
    "label",
    "year",
    "projects",
    "holders",
    "cooperatives",
    "total_cost",
    "indh_contribution",
    "partner_contribution",
    "holder_contribution",
    "jobs",
    *CENSUS_KEYS,
)


# Sheets of the summary workbook and their columns (the JSON's keys).
SHEET_COLUMNS = {
    "totals": (
        "projects",
        "holders",
        "cooperatives",
        "total_cost",
        "indh_contribution",
        "partner_contribution",
        "holder_contribution",
        "jobs",
    ),
    "by_sector": ("code", "label", "projects", "cooperatives", "total_cost", "indh_contribution"),
    "by_year": ("year", "projects", "cooperatives", "total_cost", "indh_contribution"),
    "by_sector_year": ("code", "year", "projects", "total_cost", "indh_contribution"),
    "by_commune": ("code", "label", "projects", "total_cost", "indh_contribution", *CENSUS_KEYS),
    "by_province": ("code", "label", "projects", "total_cost", "indh_contribution", *CENSUS_KEYS),
    "by_programme": ("code", "label", "projects", "total_cost", "indh_contribution"),
    "by_status": ("code", "label", "projects", "total_cost"),
}


def _summary_lines(data):
    """The summary as flat rows: the totals first, then each breakdown's rows."""
    yield {"breakdown": "totals", **data["totals"]}
    for breakdown in BREAKDOWNS:
        for row in data[breakdown]:
            yield {"breakdown": breakdown, **row}


def last_updated():
    """When the data last changed, ISO 8601 in Morocco's time with its offset; None before any change."""
    changed = queries.last_updated()
    if changed is None:
        return None
    return timezone.localtime(changed, timezone.get_default_timezone()).isoformat(timespec="seconds")


# The format may come from the Accept header, the about link names the host, the licence is a
# setting: one kept answer per each (and per language).
@cached_public_answer(vary_on_headers=["Accept", "Host"], vary_on=settings_shown)
@_open_data()
def summary(request, filters, options, lang):
    """Totals and breakdowns of the matching projects (JSON, CSV or XLSX)."""
    data = Project.objects.summary(filters, lang=lang)
    fmt = _wanted_format(request, options)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="indh-summary.csv"'
        response.write(CSV_BOM)
        writer = csv.writer(response, delimiter=options.get("sep") or ",")
        writer.writerow(_header_row(SUMMARY_COLUMNS, options, summary=True))
        for line in _summary_lines(data):
            writer.writerow([_text(line.get(column)) for column in SUMMARY_COLUMNS])
        return response
    if fmt == "xlsx":
        sheets = {
            name: (SHEET_COLUMNS[name], [data["totals"]] if name == "totals" else data[name])
            for name in SHEET_COLUMNS
        }
        return _workbook_response(
            sheets, lang=lang, filename="indh-summary.xlsx", options=options, summary=True
        )
    # Who the census figures and boundaries come from, as their licences ask.
    meta = {"credits": CREDITS}
    answer = {"last_updated": last_updated(), **data, "meta": meta, **open_data_terms(request)}
    return JsonResponse(jsonable(answer), json_dumps_params={"ensure_ascii": False})


# --- /api/v1/projects/<code> ------------------------------------------------------------------


@cached_public_answer()
@require_safe
def project(request, code):
    """One project: what its public page shows, as JSON (404 for an unknown code)."""
    lang = requested_language(request)
    with translation.override(lang) if lang else contextlib.nullcontext():
        lang = queries.resolve_language()
        try:
            record = register.project_record(code, lang=lang)
        except Http404:
            response = JsonResponse({"errors": {"code": [_("No project has this code.")]}}, status=404)
        else:
            with translation.override(lang):
                page = reverse("funding:project-detail", args=[code])
            record["url"] = request.build_absolute_uri(page)
            response = JsonResponse(jsonable(record), json_dumps_params={"ensure_ascii": False})
        response.headers["Content-Language"] = lang
    response.headers["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, [] if requested_language(request) else ["Accept-Language", "Cookie"])
    return response


# --- /api/v1/360giving.json ------------------------------------------------------------------


@conditional_public_answer()
@_open_data()
def threesixtygiving(request, filters, options, lang):
    """The matching projects as a 360Giving Data Standard package, one grant per project."""
    return giving360.package_response(request, filters, lang)


# --- /api/v1/projects -------------------------------------------------------------------------


@conditional_public_answer(vary_on_headers=["Accept"])
@_open_data(ProjectsOptionsForm)
def projects(request, filters, options, lang):
    """One row per matching project: paginated JSON, or the whole list streamed as CSV or XLSX."""
    text = options.get("q")
    # The register's search, so that its downloads hold the projects it lists.
    rows = register.search_projects(queries.project_list(filters, lang=lang), text)
    fmt = _wanted_format(request, options)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(rows, lang, options), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="indh-projects.csv"'
        return response
    if fmt == "xlsx":
        lines = queries.public_rows(rows.iterator(chunk_size=CSV_CHUNK_SIZE), lang=lang)
        sheets = {"projects": (queries.PROJECT_COLUMNS, lines)}
        return _workbook_response(sheets, lang=lang, filename="indh-projects.xlsx", options=options)

    paginator = Paginator(rows, options.get("page_size") or DEFAULT_PAGE_SIZE)
    if not text:
        # The same projects as the summary's count for these filters, already summed (and cached):
        # counting them again would read every matching project (~0.7 s for a million). A search
        # selects fewer than the summary counts: the paginator counts those.
        paginator.count = Project.objects.summary(filters, lang=lang)["totals"]["projects"]
    number = options.get("page") or 1
    if number > paginator.num_pages:
        message = _("There is no page %(page)s: the last page is %(last)s.") % {
            "page": number,
            "last": paginator.num_pages,
        }
        return JsonResponse(
            {"errors": {"page": [message]}}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    page = paginator.page(number)

    def page_url(other):
        return request.build_absolute_uri(request.path + charts.with_params(request.GET, page=other))

    return JsonResponse(
        {
            "last_updated": last_updated(),
            "count": paginator.count,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": jsonable(list(queries.public_rows(page.object_list, lang=lang))),
            **open_data_terms(request),
        },
        json_dumps_params={"ensure_ascii": False},
    )


class _Echo:
    """csv.writer writes into this and gets back the line, for streaming."""

    def write(self, value):
        return value


def _csv_stream(rows, lang, options):
    writer = csv.writer(_Echo(), delimiter=options.get("sep") or ",")
    # Named now, in the language of the request: the lines are written after the view has returned.
    header = _header_row(queries.PROJECT_COLUMNS, options)
    return _csv_lines(writer, header, rows, lang)


def _csv_lines(writer, header, rows, lang):
    yield CSV_BOM + writer.writerow(header)
    for line in queries.public_rows(rows.iterator(chunk_size=CSV_CHUNK_SIZE), lang=lang):
        yield writer.writerow([_text(line[column]) for column in queries.PROJECT_COLUMNS])


def _workbook_response(sheets, *, lang, filename, options, summary=False):
    """An XLSX written row by row (openpyxl write-only) to a temporary file, then sent.

    ``sheets``: sheet name -> (column names, iterable of row dicts); with headers=labels the sheets
    and columns are named in the language of the labels.
    """
    workbook = Workbook(write_only=True)
    for title, (columns, lines) in sheets.items():
        sheet = workbook.create_sheet(_sheet_title(title, options))
        sheet.sheet_view.rightToLeft = translation.get_language_info(lang)["bidi"]
        sheet.freeze_panes = "A2"
        sheet.append(_header_row(columns, options, summary=summary))
        for line in lines:
            sheet.append([_cell(sheet, line[column]) for column in columns])
    # Not a `with` block: FileResponse closes (and so deletes) the file once it is sent.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_MIME)


def _cell(sheet, value):
    """Numbers as numbers (amounts with a thousands format), dates as dates, text formula-safe."""
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value.quantize(queries.CENT))
        cell.number_format = AMOUNT_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return cell_text(value, xlsx=True)
