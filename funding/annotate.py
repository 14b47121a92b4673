"""A refused workbook handed back to the official, annotated (issue 18).

The official's own file, its sheets, layout and formatting kept, with each bad cell filled in a
light warning colour and carrying a comment with its message, and a first sheet listing every error
with a link to its cell: the official fixes the workbook in Excel instead of finding each error back
by hand. A CSV file comes back as a workbook of its rows, annotated the same way.

openpyxl loads the whole workbook (a write-only or read-only workbook cannot be saved back with its
formatting). Only files the import could read are loaded: one refused as a whole (unreadable, too
large, a zip bomb) comes back as the list of errors alone.
"""

import csv
import io
import os
import zipfile

from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet.hyperlink import Hyperlink

from funding import workbook
from indh_site.exports import CONTROL_CHARACTERS, cell_text
from indh_site.money import isolate

# Light amber: visible on screen and in print, and the text stays readable on it.
WARNING_FILL = PatternFill(fill_type="solid", start_color="FFFFE699", end_color="FFFFE699")
COMMENT_AUTHOR = "INDH"
# A comment box shows a few lines; a message longer than this (a list of accepted values, a hostile
# value quoted back) is cut, the whole of it stays on the first sheet.
MAX_COMMENT_CHARACTERS = 1000
# Excel's limit for the text of a cell.
MAX_CELL_CHARACTERS = 32767
MAX_SHEET_TITLE = 31
HEADER_SEARCH_ROWS = workbook.HEADER_SEARCH_ROWS


def annotate_workbook(*, source, file_name, errors, table, sheet_name="", header_row=None, unlisted=0):
    """The workbook ``source`` (path or bytes of the .xlsx or .csv file named ``file_name``) with the
    cells of ``errors`` (workbook.RowError) marked, and a first sheet listing them: bytes of an .xlsx.

    ``sheet_name`` and ``header_row`` say where the import found its ``table`` (workbook.PROJECTS or
    HOLDERS); without them, the sheet is the one the import reads and headers are looked for in its
    first rows. ``unlisted`` errors were counted but not kept: the list says so.
    """
    data = _bytes(source)
    book = sheet = None
    # A file refused before any row was read may be unreadable, or hostile: it is not opened.
    if any(error.row is not None for error in errors):
        if str(file_name).lower().endswith((".csv", ".txt")) and not zipfile.is_zipfile(io.BytesIO(data)):
            book = _csv_book(data, table)
        else:
            book = _load(data)
        if book is not None:
            sheet = _table_sheet(book, sheet_name, table)
    copied = book is not None
    if book is None:
        book = Workbook()
        book.remove(book.active)
    places = _mark(sheet, errors, header_row) if sheet is not None else [None] * len(errors)
    _list_sheet(book, sheet, file_name, errors, places, unlisted, copied)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _bytes(source):
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            return file.read()
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        return source.read()
    return bytes(source)


def _load(data):
    try:
        # Formulas stay formulas (not data_only), links to other files are kept.
        return load_workbook(io.BytesIO(data), rich_text=True)
    except Exception:  # openpyxl raises many types for files python-calamine could read
        return None


def _csv_book(data, table):
    """The CSV file's rows in a worksheet, each at its line number (the row number errors name)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    delimiter = _csv_delimiter(text, table)
    book = Workbook()
    sheet = book.active
    sheet.title = table.sheet_names[0]  # the name the import looks for first
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            # Blank cells stay empty; columns past those a workbook to import may have are dropped.
            sheet.append([_text(value) if value else None for value in row[: workbook.MAX_SHEET_COLUMNS]])
    except csv.Error:
        pass  # the rows before the broken line are enough to mark the errors on them
    return book


def _csv_delimiter(text, table):
    """The separator funding.workbook reads the file with: the first giving a header row."""
    for delimiter in (";", ",", "\t"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                if number > HEADER_SEARCH_ROWS:
                    break
                matches = {table.match_header(cell) for cell in cells if cell.strip()}
                matches.discard(None)
                if len(matches) >= workbook.MIN_HEADER_MATCHES:
                    return delimiter
        except csv.Error:
            continue
    return ";"


def _table_sheet(book, sheet_name, table):
    """The worksheet the import read: the one it named, else the one named like the table, else the first."""
    if sheet_name in book.sheetnames:
        return book[sheet_name]
    names = {workbook.normalise(name) for name in table.sheet_names}
    for sheet in book.worksheets:
        if workbook.normalise(sheet.title) in names:
            return sheet
    return book.worksheets[0] if book.worksheets else None


def _header_text(value):
    return " ".join(str(value).split()) if value is not None else ""


def _mark(sheet, errors, header_row):
    """Fill and comment each error's cell; returns the coordinate (or None) of each error."""
    headers = {}  # header row -> {header text: column number}

    def columns_of(row):
        if row not in headers:
            found = {}
            for cell in next(sheet.iter_rows(min_row=row, max_row=row), ()):
                text = _header_text(cell.value)
                if text and text not in found:
                    found[text] = cell.column
            headers[row] = found
        return headers[row]

    def column_of(error):
        if not error.column:
            return None
        # A cell's column is found under its header; a header error names the header cell itself.
        rows = [header_row] if header_row else [error.row, *range(1, HEADER_SEARCH_ROWS + 1)]
        for row in rows:
            if row > HEADER_SEARCH_ROWS and row != header_row:
                continue
            column = columns_of(row).get(_header_text(error.column))
            if column is not None:
                return column
        return None

    first_column = None
    if header_row:
        first_column = min(columns_of(header_row).values(), default=None)
    notes = {}  # (row, column) -> messages, in the order of the errors
    places = []
    for error in errors:
        if error.row is None:
            places.append(None)
            continue
        # An error of a whole row (or of a column the sheet lacks) marks the row's first cell.
        column = column_of(error) or first_column or 1
        cell = sheet.cell(row=error.row, column=column)
        if isinstance(cell, MergedCell):
            cell = _merged_anchor(sheet, cell)
        notes.setdefault((cell.row, cell.column), []).append(error.message)
        places.append(cell.coordinate)
    for (row, column), messages in notes.items():
        cell = sheet.cell(row=row, column=column)
        cell.fill = WARNING_FILL
        text = _comment_text("\n\n".join(dict.fromkeys(messages)))
        if cell.comment is not None and cell.comment.text:
            text = _comment_text(f"{cell.comment.text}\n\n{text}")
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width = 320
        comment.height = min(400, 40 + 16 * (len(text) // 45 + text.count("\n") + 1))
        cell.comment = comment
    return places


def _merged_anchor(sheet, cell):
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return sheet.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _comment_text(text):
    text = CONTROL_CHARACTERS.sub(" ", text)
    if len(text) > MAX_COMMENT_CHARACTERS:
        text = text[: MAX_COMMENT_CHARACTERS - 1] + "…"
    return text


def _text(value):
    """Text for a cell: control characters replaced, formulas neutralised, within Excel's limit."""
    text = cell_text(str(value), xlsx=True)
    if len(text) > MAX_CELL_CHARACTERS:
        text = text[: MAX_CELL_CHARACTERS - 1] + "…"
    return text


def _list_title(book):
    base = INVALID_TITLE_REGEX.sub(" ", _("Errors"))[:MAX_SHEET_TITLE]
    taken = {name.casefold() for name in book.sheetnames}
    title, number = base, 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[: MAX_SHEET_TITLE - len(suffix)] + suffix
    return title


def _list_sheet(book, target, file_name, errors, places, unlisted, copied):
    """The first sheet: what to do, then row, column, value, message and a link to each error's cell
    of the ``target`` worksheet."""
    sheet = book.create_sheet(_list_title(book), 0)
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    sheet.sheet_view.tabSelected = True
    book.active = 0
    sheet.sheet_view.rightToLeft = get_language_bidi()
    count = len(errors) + unlisted
    lines = [
        ngettext(
            "%(file)s cannot be imported: %(count)s error. Nothing was saved.",
            "%(file)s cannot be imported: %(count)s errors. Nothing was saved.",
            count,
        )
        % {"file": isolate(os.path.basename(str(file_name))), "count": workbook.grouped(count)},
        _(
            "Each cell to correct is coloured and carries a comment; the links below lead to it. "
            "Correct the cells, delete this sheet, and import the workbook again."
        )
        if copied
        else _(
            "The file itself could not be read: correct it as the errors below say, then import it again."
        ),
    ]
    if unlisted:
        lines.append(
            ngettext(
                "… and %(counter)s more error, not listed: correct these first.",
                "… and %(counter)s more errors, not listed: correct these first.",
                unlisted,
            )
            % {"counter": workbook.grouped(unlisted)}
        )
    for line in lines:
        sheet.append([_text(line)])
    sheet.append([])
    headings = [_("Row"), _("Column"), _("Value"), _("What is expected"), _("Cell")]
    sheet.append(headings)
    bold = Font(bold=True)
    heading_row = sheet.max_row
    for cell in sheet[heading_row]:
        cell.font = bold
    sheet.freeze_panes = f"A{heading_row + 1}"  # a coordinate: a cell there would shift the rows
    wrap = Alignment(wrap_text=True, vertical="top")
    for error, place in zip(errors, places, strict=True):
        sheet.append(
            [
                error.row,
                _text(error.column) if error.column else None,
                _text(error.value) if error.value else None,
                _text(error.message),
            ]
        )
        row = sheet.max_row
        sheet.cell(row=row, column=4).alignment = wrap
        if place is not None:
            name = target.title
            link = sheet.cell(row=row, column=5, value=_text(f"{name}!{place}"))
            location = "'{}'!{}".format(name.replace("'", "''"), place)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=location)
            link.style = "Hyperlink"
    for column, width in zip(range(1, 6), (8, 28, 28, 80, 20), strict=True):
        sheet.column_dimensions[get_column_letter(column)].width = width
