"""Helpers shared by every CSV and XLSX file the application writes."""

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and
# carriage return, may shift it into one): a holder named "=HYPERLINK(...)" must stay text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Return ``value`` made safe to put in a spreadsheet text cell.

    Text starting with a formula trigger gets a leading apostrophe, which spreadsheets
    show as plain text. Anything that is not a string (numbers, dates, None) is returned
    unchanged: only text cells can smuggle a formula in.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
