"""Helpers shared by every CSV and XLSX file the application writes, and by the import reading them back.

Every text a writer puts in a cell goes through cell_text(): the one place that decides what a
spreadsheet cell may hold. The import undoes it with restore_text(), so that exporting a list and
importing it back changes nothing.
"""

import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and
# carriage return, may shift it into one): a holder named "=HYPERLINK(...)" must stay text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The escape itself: a text starting with it is escaped too, or the import could not tell
# "'=x" written by a user from "=x" escaped by an export.
ESCAPE = "'"
# Control characters other than tab, line feed and carriage return: XML (so XLSX) cannot hold them
# and openpyxl refuses them. A pasted manual line break (\x0b) is the usual one.
CONTROL_CHARACTERS = ILLEGAL_CHARACTERS_RE
# Text that looks like Excel's own escape for a character (_x000D_) is escaped in turn.
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def neutralise_formula(value):
    """Return ``value`` made safe to put in a spreadsheet text cell, exactly reversible by restore_text.

    Text starting with a formula trigger or with the apostrophe itself gets a leading apostrophe, which
    spreadsheets show as plain text; so does text with spaces around it, which the import would
    otherwise strip. Anything that is not a string (numbers, dates, None) is returned unchanged: only
    text cells can smuggle a formula in.
    """
    if isinstance(value, str) and (value.startswith((*FORMULA_TRIGGERS, ESCAPE)) or value != value.strip()):
        return ESCAPE + value
    return value


def restore_text(text):
    """The text of an imported cell as it was before an export wrote it: neutralise_formula undone.

    Text starting with the escape loses exactly that apostrophe and nothing else; any other text is
    stripped of the spaces around it, as typed cells are."""
    if text.startswith(ESCAPE):
        return text[len(ESCAPE) :]
    return text.strip()


def cell_text(value, *, xlsx=False):
    """Any value as a CSV (or, with ``xlsx``, an XLSX) writer must put it in a cell.

    Numbers, dates and None pass unchanged. In text, each control character is replaced by a space:
    the visible text is kept, words a pasted line break separated stay apart, and the file opens
    everywhere (a workbook cannot hold them at all). Then formulas are neutralised. In XLSX a carriage
    return is written the way Excel writes it (XML would read it back as a line feed), and text that
    looks like that escape is escaped in turn.
    """
    if not isinstance(value, str):
        return value
    value = neutralise_formula(CONTROL_CHARACTERS.sub(" ", value))
    if xlsx:
        value = _OOXML_ESCAPE.sub(r"_x005F_\1", value).replace("\r", "_x000D_")
    return value
