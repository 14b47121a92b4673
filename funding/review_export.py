"""The yearly review's tables as an Excel workbook.

Numbers are numeric cells with a number format, so officials can add them up; amounts are
written as the Decimal the database summed (openpyxl writes its exact digits), in dirhams
to the cent rather than the rounded millions of the page. Percentages are fractions with a
percent format, so Excel shows them the reader's way (23,8 % in a French Excel). Text that
comes from the data (names of sectors, communes…) is neutralised against formulas.
"""

from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from funding import queries
from funding.review import (
    HUNDRED,
    comparison_rows,
    format_date,
    format_moment,
    key_figures,
    sector_rows,
    subtitle,
    title,
    today,
)
from indh_site.exports import cell_text

AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
# Characters Excel refuses in a sheet name, and its length limit.
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
SHEET_NAME_MAX = 31


def file_name(review):
    period = f"-{review.period.first}-{review.period.last}" if review.period else ""
    return f"bilan-indh{period}.xlsx"


def workbook_bytes(review, *, paragraphs, filters=()):
    """The workbook as bytes: the review's text and key figures, then one sheet per table."""
    workbook = Workbook()
    rtl = translation.get_language_bidi()
    summary_sheet = workbook.active
    _fill_summary(summary_sheet, review, paragraphs=paragraphs, filters=filters)
    if review.period and not review.is_empty:
        if review.has_previous:  # no sheet of zeros when the previous period has no project
            _fill_comparison(workbook.create_sheet(), review)
        _fill_sectors(workbook.create_sheet(), review)
        for key, sheet_title, label_header, label_of in _breakdowns():
            _fill_breakdown(workbook.create_sheet(), review.summary[key], sheet_title, label_header, label_of)
    for sheet in workbook.worksheets:
        sheet.sheet_view.rightToLeft = rtl
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _breakdowns():
    return [
        ("by_year", pgettext("review", "By year"), pgettext("review", "Year"), lambda row: row["year"]),
        (
            "by_commune",
            pgettext("review", "By commune"),
            pgettext("review", "Commune"),
            lambda row: row["label"],
        ),
        (
            "by_programme",
            pgettext("review", "By programme"),
            pgettext("review", "Programme"),
            lambda row: f"{row['code']} — {row['label']}",
        ),
    ]


def _name(sheet, text):
    sheet.title = str(text).translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX]


def _text(value):
    return cell_text(str(value), xlsx=True) if isinstance(value, str) else value


def _header(sheet, labels):
    sheet.append([_text(str(label)) for label in labels])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _append(sheet, values, formats):
    """One row; ``formats`` gives each cell's number format (None for text)."""
    sheet.append([_text(value) for value in values])
    for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
        if number_format:
            cell.number_format = number_format


def _widths(sheet, widths):
    for letter, width in zip("ABCDEFGHIJ", widths, strict=False):
        sheet.column_dimensions[letter].width = width


def _fraction(percent):
    """47.2 (percent) -> 0.472, exactly, for a cell with a percent format."""
    return None if percent is None else percent / HUNDRED


def _fill_summary(sheet, review, *, paragraphs, filters):
    _name(sheet, pgettext("review", "Review"))
    sheet.append([_text(title())])
    sheet["A1"].font = Font(bold=True, size=14)
    if review.period:
        sheet.append([_text(subtitle(review))])
    sheet.append([_text(_("Produced on %(date)s") % {"date": format_date(today())})])
    changed = queries.last_updated()
    if changed:
        sheet.append([_text(_("Data as of %(moment)s") % {"moment": format_moment(changed)})])
    for label, values in filters:
        sheet.append([_text(label), _text(values)])
    sheet.append([])
    for paragraph in paragraphs:
        sheet.append([_text(paragraph)])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=2)
        # A paragraph of some 300 characters in a 100-character-wide cell: give it the lines it needs.
        sheet.row_dimensions[sheet.max_row].height = 15 * (len(paragraph) // 90 + 1)
    if review.period and not review.is_empty:
        sheet.append([])
        _header(sheet, [pgettext("review", "Key figures"), _("Value (MAD for amounts)")])
        for label, value, kind in key_figures(review):
            _append(sheet, [label, value], [None, AMOUNT_FORMAT if kind == "money" else COUNT_FORMAT])
    _widths(sheet, [70, 30])


def _fill_comparison(sheet, review):
    _name(sheet, pgettext("review", "Comparison"))
    _header(
        sheet,
        [
            pgettext("review", "Indicator"),
            _("Previous period (%(period)s)") % {"period": review.previous_period},
            _("This period (%(period)s)") % {"period": review.period},
            pgettext("review", "Change"),
        ],
    )
    for row in comparison_rows(review):
        number_format = COUNT_FORMAT if row["measure"] == "projects" else AMOUNT_FORMAT
        _append(
            sheet,
            [row["label"], row["before"], row["after"], _fraction(row["change"])],
            [None, number_format, number_format, PERCENT_FORMAT],
        )
    _widths(sheet, [30, 24, 24, 12])


def _fill_sectors(sheet, review):
    _name(sheet, pgettext("review", "By sector"))
    _header(
        sheet,
        [
            pgettext("review", "Sector"),
            pgettext("review", "Projects"),
            pgettext("review", "Share of projects"),
            pgettext("review", "Cooperatives"),
            pgettext("review", "Total cost (MAD)"),
            pgettext("review", "Share of the cost"),
            pgettext("review", "INDH contribution (MAD)"),
        ],
    )
    for row in sector_rows(review):
        _append(
            sheet,
            [
                row["label"],
                row["projects"],
                _fraction(row["projects_share"]),
                row["cooperatives"],
                row["total_cost"],
                _fraction(row["cost_share"]),
                row["indh_contribution"],
            ],
            [None, COUNT_FORMAT, PERCENT_FORMAT, COUNT_FORMAT, AMOUNT_FORMAT, PERCENT_FORMAT, AMOUNT_FORMAT],
        )
    _widths(sheet, [30, 10, 12, 12, 18, 12, 18])


def _fill_breakdown(sheet, rows, sheet_title, label_header, label_of):
    _name(sheet, sheet_title)
    _header(
        sheet,
        [
            label_header,
            pgettext("review", "Projects"),
            pgettext("review", "Total cost (MAD)"),
            pgettext("review", "INDH contribution (MAD)"),
        ],
    )
    for row in rows:
        _append(
            sheet,
            [label_of(row), row["projects"], row["total_cost"], row["indh_contribution"]],
            [None, COUNT_FORMAT, AMOUNT_FORMAT, AMOUNT_FORMAT],
        )
    _widths(sheet, [40, 10, 18, 18])
