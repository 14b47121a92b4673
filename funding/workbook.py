"""Reading the workbooks officials keep (spec: import-format.md). Pure: no database.

Real files vary: a title above the header row, headers in French, Arabic or English
with or without accents, amounts typed as text in the French style or in Eastern
Arabic digits, a totals line at the bottom. All of that leniency lives here, so the
admin and the command line read a file exactly the same way, whatever language the
official's browser is set to.

python-calamine reads .xlsx (a Rust parser: about ten times faster than openpyxl, and
it never expands XML entities, so "billion laughs" and external-entity files fail to
parse instead of exploding). openpyxl is only used to write files.
"""

import concurrent.futures
import contextlib
import csv
import datetime
import decimal
import difflib
import functools
import gc
import io
import operator
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from python_calamine import CalamineWorkbook, SheetTypeEnum

from funding import xlsx_extent
from indh_site.exports import restore_text
from indh_site.money import EXAMPLE_AMOUNT, format_number, join_items

CENT = Decimal("0.01")
# Decimal(14, 2) in the database.
MAX_AMOUNT = Decimal("999999999999.99")
# Excel stores numbers as binary floats: a cell computed by a formula may hold
# 37500.000000000007 where the sheet shows 37 500,00. Closer than this to a whole
# cent is read as that cent; anything further has more than 2 decimals.
FLOAT_NOISE = Decimal("0.000001")
HEADER_SEARCH_ROWS = 10
MIN_HEADER_MATCHES = 3
# A compressed .xlsx expands about ten times; far more than this is a zip bomb.
UNCOMPRESSED_RATIO_LIMIT = 30
# The extent of a worksheet, checked before python-calamine builds its grid (one slot per
# cell from A1 to the last one, 32 bytes each): rows up to IMPORT_MAX_ROWS plus room for
# titles, blank lines and totals; the 256 columns of Excel 97, ten times what the projects
# workbook needs; and in all no more cells than the full height times FULL_HEIGHT_COLUMNS,
# a grid of about 200 MB at 200,000 rows.
EXTRA_SHEET_ROWS = 1000
MAX_SHEET_COLUMNS = 256
FULL_HEIGHT_COLUMNS = 32
# Unknown header cells named one by one in the warning; the rest are counted.
LISTED_IGNORED_COLUMNS = 10


# --- Text normalisation --------------------------------------------------------------

# Punctuation the spec ignores in headers (plus typographic apostrophes and dashes that
# Excel's autocorrect puts in place of the plain ones, "*" that marks required columns
# in many templates, and º typed for °).
_PUNCTUATION = str.maketrans(dict.fromkeys(".:()°º'-_’‘ʼ`´–—*", " "))
# Arabic spellings officials use interchangeably: alef maksura / ya, ta marbuta / ha.
# Hamza forms of alef fold to alef through NFKD below; tatweel is dropped.
_ARABIC_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "\u0640": None})
_CURRENCY_SUFFIX = re.compile(r"\s+(?:en\s+)?(?:dh|dhs|mad|dirhams?|درهم|بالدرهم)$")


@functools.lru_cache(maxsize=65536)  # holder names and reference values repeat down a sheet
def normalise(value):
    """Fold text for matching: case, accents, Arabic diacritics and tatweel, spaces and
    the punctuation ``.:()°'-_`` do not count."""
    text = str(value).translate(_PUNCTUATION)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
        text = text.translate(_ARABIC_FOLD).translate(_PUNCTUATION)
    return " ".join(text.casefold().split())


def normalise_header(value):
    """A header folded for matching; "(DH)", "MAD", "Dhs" or "(درهم)" at the end don't count."""
    return _CURRENCY_SUFFIX.sub("", normalise(value))


# --- The columns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    fr: str
    ar: str
    en: str
    required: bool = False
    aliases: tuple = ()
    # Values that repeat down a sheet (reference values, holders) are kept once in memory.
    repeats: bool = False

    def names(self):
        return (self.fr, self.ar, self.en, *self.aliases)


@dataclass(frozen=True)
class Table:
    """One kind of workbook: its columns and the names of the worksheet that holds it."""

    kind: str
    columns: tuple
    sheet_names: tuple

    def __post_init__(self):
        lookup = {}
        for column in self.columns:
            for name in column.names():
                key = normalise_header(name)
                assert lookup.get(key, column.key) == column.key, f"{name!r} names two columns"
                lookup[key] = column.key
        object.__setattr__(self, "header_lookup", lookup)

    def column(self, key):
        return next(column for column in self.columns if column.key == key)

    def match_header(self, text):
        """The column a header cell names, or None. "Code projet / رمز المشروع" works too."""
        key = self.header_lookup.get(normalise_header(text))
        if key is None:
            parts = re.split(r"[/|\n]", str(text))
            parts = {self.header_lookup.get(normalise_header(part)) for part in parts}
            parts.discard(None)
            if len(parts) == 1:
                key = parts.pop()
        return key


# Columns both workbooks have, spelt the same in each.
HOLDER_TYPE = Column(
    "holder_type", "Type de porteur", "نوع الحامل", "Holder type", False, ("Type du porteur",), repeats=True
)
REGISTRATION_NUMBER = Column(
    "registration_number",
    "N° d'immatriculation",
    "رقم التسجيل",
    "Registration number",
    False,
    ("No d'immatriculation", "Numéro d'immatriculation", "Immatriculation", "Registration no"),
    repeats=True,
)
COMMUNE = Column("commune", "Commune", "الجماعة", "Commune", True, ("Municipality",), repeats=True)


PROJECTS = Table(
    kind="projects",
    sheet_names=("Projets", "المشاريع", "Projects"),
    columns=(
        Column("code", "Code projet", "رمز المشروع", "Project code", True, ("Code du projet", "Code")),
        Column("title", "Intitulé du projet", "عنوان المشروع", "Project title", True, ("Intitulé", "Titre")),
        Column(
            "holder",
            "Porteur du projet",
            "حامل المشروع",
            "Holder",
            True,
            ("Porteur de projet", "Porteur", "Project holder"),
            repeats=True,
        ),
        HOLDER_TYPE,
        REGISTRATION_NUMBER,
        Column("sector", "Secteur", "القطاع", "Sector", True, ("Secteur d'activité",), repeats=True),
        COMMUNE,
        Column("programme", "Programme", "البرنامج", "Programme", False, ("Program",), repeats=True),
        Column(
            "year",
            "Année",
            "السنة",
            "Year",
            True,
            ("Année de programmation", "Programming year"),
            repeats=True,
        ),
        Column(
            "total_cost",
            "Coût global (DH)",
            "الكلفة الإجمالية (درهم)",
            "Total cost (MAD)",
            True,
            ("Coût total",),
        ),
        Column(
            "indh_contribution",
            "Contribution INDH (DH)",
            "مساهمة المبادرة (درهم)",
            "INDH contribution (MAD)",
            True,
            ("Part INDH", "مساهمة المبادرة الوطنية للتنمية البشرية"),
        ),
        Column(
            "partner_contribution",
            "Contribution partenaires (DH)",
            "مساهمة الشركاء (درهم)",
            "Partners contribution (MAD)",
            False,
            ("Contribution des partenaires", "Partners' contribution"),
        ),
        Column(
            "holder_contribution",
            "Apport du porteur (DH)",
            "مساهمة حامل المشروع (درهم)",
            "Holder contribution (MAD)",
            False,
            ("Contribution du porteur", "Holder's contribution"),
        ),
        Column("status", "Statut", "الوضعية", "Status", False, ("État d'avancement",), repeats=True),
        Column(
            "agreement_signed_on",
            "Date de signature de la convention",
            "تاريخ توقيع الاتفاقية",
            "Agreement signed on",
            False,
            ("Date de signature", "Date de la convention", "Agreement date"),
        ),
        Column(
            "jobs_created",
            "Emplois créés",
            "مناصب الشغل المحدثة",
            "Jobs created",
            False,
            ("Nombre d'emplois",),
            repeats=True,
        ),
        Column(
            "members", "Nombre d'adhérents", "عدد المنخرطين", "Members", False, ("Adhérents",), repeats=True
        ),
    ),
)

HOLDERS = Table(
    kind="holders",
    sheet_names=("Porteurs", "حاملو المشاريع", "Holders"),
    columns=(
        Column(
            "name", "Nom du porteur", "اسم الحامل", "Holder name", True, ("Nom", "Porteur", "Name", "Holder")
        ),
        HOLDER_TYPE,
        REGISTRATION_NUMBER,
        COMMUNE,
        Column(
            "main_sector",
            "Secteur principal",
            "القطاع الرئيسي",
            "Main sector",
            False,
            ("Secteur",),
            repeats=True,
        ),
        Column(
            "created_on",
            "Date de création",
            "تاريخ التأسيس",
            "Creation date",
            False,
            ("Date de constitution",),
        ),
        Column(
            "members_total",
            "Nombre d'adhérents",
            "عدد المنخرطين",
            "Members",
            False,
            ("Adhérents",),
            repeats=True,
        ),
        Column(
            "members_women",
            "Dont femmes",
            "منهن نساء",
            "Women members",
            False,
            ("Femmes", "Adhérentes"),
            repeats=True,
        ),
        Column(
            "members_under_35",
            "Dont moins de 35 ans",
            "منهم دون 35 سنة",
            "Members under 35",
            False,
            ("Moins de 35 ans", "Jeunes"),
            repeats=True,
        ),
    ),
)

# Spec labels of the choices that have no table of their own (code, French, Arabic).
HOLDER_TYPE_NAMES = {
    "cooperative": ("Coopérative", "تعاونية"),
    "association": ("Association", "جمعية"),
    "young_entrepreneur": ("Jeune porteur de projet", "مقاول شاب"),
    "other": ("Autre", "أخرى"),
}
STATUS_NAMES = {
    "programmed": ("Programmé", "مبرمج"),
    "approved": ("Approuvé", "مصادق عليه"),
    "in_progress": ("En cours", "في طور الإنجاز"),
    "completed": ("Achevé", "منجز"),
    "cancelled": ("Annulé", "ملغى"),
}
_ARABIC_ORDINALS = ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع")
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")


def programme_aliases(code):
    """Besides its code and names, "P3" is written "Programme 3", "Programme III", "البرنامج الثالث"…"""
    match = re.fullmatch(r"[Pp](\d)", code)
    if not match or match.group(1) == "0":
        return []
    number = int(match.group(1))
    words = ("programme", "program", "البرنامج")
    return [
        f"{word} {form}"
        for word in words
        for form in (str(number), _ROMAN[number - 1], code, _ARABIC_ORDINALS[number - 1])
    ]


def _is_totals(text):
    return len(text) < 40 and normalise(text) in TOTALS_WORDS


TOTALS_WORDS = frozenset(
    normalise(word)
    for word in ("Total", "Totaux", "المجموع", "المجموع العام", "Total général", "Totaux généraux")
)

# Checked before normalising, which is slow next to reading a row.
_TOTALS_INITIALS = frozenset(word[0] for word in TOTALS_WORDS)


# --- Errors --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """What an official needs to fix a cell: sheet row (1-based), column header, value, what is expected."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self):
        """The error as one line (the command line's output, the admin's messages), in the
        active language."""
        if self.row is None:
            return self.message
        if not self.column:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _('row %(row)s, column "%(column)s": %(message)s') % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class WorkbookError(Exception):
    """The file as a whole cannot be imported (unreadable, no header, missing columns…)."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = [RowError(None, "", "", errors)]
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


class NoHeaderError(WorkbookError):
    """No header row where the spec looks for it."""


class CellError(ValueError):
    """A cell's value does not follow the format; the message says what is expected."""


# --- Values --------------------------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Excel under an Arabic locale writes ٬ for thousands and ٫ for decimals, and may wrap
# numbers in direction marks; non-breaking and thin spaces group thousands in French.
_NUMBER_TEXT = str.maketrans(
    {
        "٫": ",",
        "٬": " ",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200e": None,
        "\u200f": None,
        "\u061c": None,
    }
)
_NUMBER_CURRENCY = re.compile(r"^(?:dhs?|mad|درهم)\.?\s*|\s*(?:dhs?|mad|درهم)\.?$", re.IGNORECASE)
# 1 250 000,50 · 1.250.000,50 · 1250000,50 · 81,70 (one kind of thousands separator).
_FRENCH_NUMBER = re.compile(
    r"(?P<whole>\d{1,3}(?P<sep>[ .])\d{3}(?:(?P=sep)\d{3})*|\d+)(?:,(?P<fraction>\d+))?"
)
_DECIMAL_POINT_NUMBER = re.compile(r"(?P<whole>\d+)\.(?P<fraction>\d+)")


def _is_number(value):
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def parse_number(value):
    """A number cell, or text in the French style (spaces or dots group thousands, a comma
    marks decimals), or with a single dot and no comma, in Western or Eastern Arabic digits.
    Never depends on the active language."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest text that reads back as the same float: what Excel stored.
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise CellError(_("Expected a number, such as %(example)s.") % {"example": EXAMPLE_AMOUNT})
    text = value.translate(_DIGITS).translate(_NUMBER_TEXT).strip()
    text = _NUMBER_CURRENCY.sub("", text).strip()
    sign = 1
    if text[:1] in ("-", "−"):
        sign, text = -1, text[1:].strip()
    text = re.sub(r" +", " ", text)
    # The spec reads a single dot with no comma as a decimal point: "1.250" is 1,25 dirhams
    # (and then refused for its 3 decimals) rather than silently 1 250 dirhams.
    if "," not in text and text.count(".") == 1:
        match = _DECIMAL_POINT_NUMBER.fullmatch(text)
    else:
        match = _FRENCH_NUMBER.fullmatch(text)
    if match is None:
        raise CellError(
            _('"%(value)s" is not a number: write it like %(example)s or 1250000.50.')
            % {"value": value, "example": EXAMPLE_AMOUNT}
        )
    whole = re.sub(r"[ .]", "", match.group("whole"))
    fraction = match.group("fraction") or ""
    return sign * Decimal(f"{whole}.{fraction}" if fraction else whole)


def parse_amount(value):
    """Dirhams, at most 2 decimals, not negative."""
    if value.__class__ is float and 0 <= value <= 999999999999.99:
        # The usual case, a number cell, without the checks text needs (10⁵ rows × 4 amounts).
        if value.is_integer():
            return Decimal(int(value)).quantize(CENT)
        number = Decimal(repr(value))
        cents = number.quantize(CENT)
        if cents == number or abs(cents - number) <= FLOAT_NOISE:
            return cents
    number = parse_number(value)
    if not number.is_finite():
        raise CellError(_('"%(value)s" is not an amount.') % {"value": value})
    if number < 0:
        raise CellError(_("An amount cannot be negative."))
    cents = number.quantize(CENT)
    # Text must have at most 2 decimals ("1.250" is refused rather than guessed); binary
    # floats from number cells carry noise and are read to the nearest cent when that close.
    if number.as_tuple().exponent < -2 and (
        not isinstance(value, float) or abs(cents - number) > FLOAT_NOISE
    ):
        raise CellError(_("An amount has at most 2 decimals (%(value)s).") % {"value": value})
    if cents > MAX_AMOUNT:
        raise CellError(_("This amount is too large."))
    return cents


def parse_int(value):
    """A whole number ≥ 0 (jobs, members, year)."""
    if value.__class__ is float and value.is_integer() and value >= 0:
        return int(value)
    number = parse_number(value)
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(_('"%(value)s" is not a whole number.') % {"value": value})
    if number < 0:
        raise CellError(_("Cannot be negative."))
    return int(number)


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serial numbers Excel shows as dates from 2000 to 2099, when the cell lost its date format.
_EXCEL_SERIALS = range(36526, 73051)


def parse_date(value):
    """A date cell, or text dd/mm/yyyy or yyyy-mm-dd."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if _is_number(value) and value == int(value) and int(value) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
    if isinstance(value, str):
        text = value.translate(_DIGITS).translate(_NUMBER_TEXT).strip()
        text = text.split(" ")[0].split("T")[0]  # "2021-12-28 00:00:00" from a CSV
        for date_format in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
    raise CellError(
        _('"%(value)s" is not a date: use a date cell or write it as 28/12/2021 or 2021-12-28.')
        % {"value": value}
    )


def clean_text(value):
    """The text of a cell, stripped; a number cell 80261 reads "80261", not "80261.0"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    # An export's apostrophe is undone exactly (export then import changes no text); other text is stripped.
    text = restore_text(str(value))
    return text or None


class Choices:
    """A reference list matched by code or by name in French, Arabic or English, with
    the header's leniency. Unknown values get the closest accepted ones in the error."""

    def __init__(self, entries, *, preferred=()):
        """``entries``: (value, names, label) — ``value`` is what a match returns.

        ``preferred``: the values a name shared with others stands for (the communes of the
        installation's provinces, where the kingdom has two of that name), and the only ones listed
        when a value is not found.
        """
        self._exact = {}  # name as written (case aside) -> set of values it names
        self._index = {}  # normalised name -> set of values it names
        self._labels = {}
        self._preferred = set(preferred)
        for value, names, label in entries:
            self._labels[value] = str(label)
            for name in names:
                if name:
                    self._exact.setdefault(name.strip().casefold(), set()).add(value)
                    self._index.setdefault(normalise(name), set()).add(value)
        self._cache = {}

    def values(self):
        """Every value a match can return."""
        return self._labels.keys()

    def label(self, value):
        """How ``value`` (a code or id this list returns) is shown to the official."""
        return self._labels.get(value, str(value))

    def find(self, raw):
        try:
            found = self._cache[raw]
        except KeyError:
            found = self._cache[raw] = self._find(clean_text(raw))
        if isinstance(found, CellError):
            raise found
        return found

    def _find(self, text):
        if text is None:
            return CellError(_("A value is required."))
        # As written first: the code "el-borj" names one commune even where "El Borj" names two.
        values = self._exact.get(text.casefold(), ())
        if len(values) != 1:
            values = self._index.get(normalise(text), ())
        if len(values) > 1 and len(values & self._preferred) == 1:
            values = values & self._preferred
        if len(values) == 1:
            return next(iter(values))
        if values:
            return CellError(
                _('"%(value)s" matches several entries (%(values)s): write the code instead.')
                % {"value": text, "values": join_items(sorted(self._labels[value] for value in values))}
            )
        labels = []
        # Close names among the preferred values only: the kingdom's other communes are no likely fix.
        names = [name for name, found in self._index.items() if found & self._preferred] or list(self._index)
        for name in difflib.get_close_matches(normalise(text), names, n=5, cutoff=0.6):
            for value in self._index[name]:
                if self._labels[value] not in labels and (not self._preferred or value in self._preferred):
                    labels.append(self._labels[value])
        if labels:
            return CellError(
                _('"%(value)s" is not in the list. Closest accepted values: %(values)s.')
                % {"value": text, "values": join_items(labels)}
            )
        listed = [self._labels[value] for value in self._preferred] or self._labels.values()
        return CellError(
            _('"%(value)s" is not in the list. Accepted values: %(values)s.')
            % {"value": text, "values": join_items(listed)}
        )


# --- Reading a file ------------------------------------------------------------------


@dataclass
class Sheet:
    """The rows of a table found in a workbook, cell values in the table's column order."""

    table: Table
    name: str
    header_row: int
    headers: dict  # column key -> header as written in the file
    ignored: list  # headers that name no column
    rows: list = field(default_factory=list)  # (sheet row number, values tuple)
    skipped: list = field(default_factory=list)  # sheet row numbers of totals lines
    # (sheet row number, values tuple, how many data rows come before it) of each totals line
    totals: list = field(default_factory=list)
    positions: list = field(default_factory=list, repr=False)  # cell index of each column, or None

    def header(self, key):
        """The column as the official named it, or its French name when the file lacks it."""
        return self.headers.get(key) or self.table.column(key).fr

    def records(self):
        """(sheet row number, {column key: value}) for each data row."""
        keys = [column.key for column in self.table.columns]
        for number, values in self.rows:
            yield number, dict(zip(keys, values, strict=True))


def check_size(size):
    """Refuse a file over IMPORT_MAX_UPLOAD_BYTES before reading it."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise WorkbookError(
            _(
                "The file weighs %(size)s; files of at most %(limit)s can be imported. "
                "Split it into smaller files."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


@contextlib.contextmanager
def no_cycle_collection():
    """Pause Python's cycle collector while an import builds its millions of objects.

    The rows of a workbook (10⁵ × 17 cells, then the parsed rows, the plan) are long-lived
    and hold no reference cycles, yet each new batch of containers makes the collector walk
    all of them again: about 0.6 s of CPU for 10⁵ rows, for nothing. Reference counting
    still frees everything as usual; the collector resumes as it was on the way out.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_table(source, *, table, file_name="", meanwhile=None):
    """Find ``table`` in a workbook (.xlsx) or CSV file and return its rows.

    ``source`` is a path, bytes, or a file object. Raises WorkbookError with every
    problem that stops the whole file (unreadable, no header, missing columns, too many rows).

    ``meanwhile(rows_estimate)`` is called, when given, while python-calamine parses the
    worksheet: its Rust parser releases the GIL for that second or two of a big file, so
    work that needs no row (an import's database reads) costs no time then. It is not
    called for a CSV file, nor for a file refused before its worksheet is parsed.
    """
    with no_cycle_collection():
        return _read_table(source, table=table, file_name=file_name, meanwhile=meanwhile)


def _read_table(source, *, table, file_name, meanwhile):
    data = _load(source)
    head = data[:8] if isinstance(data, bytes) else _read_head(data)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        name, rows = _workbook_rows(data, table, meanwhile)
        named = _is_named_sheet(name, table)
        try:
            return _find_table(name, rows, table, from_sheet_name=named)
        except NoHeaderError:
            if named:
                raise
            # No sheet is named for the table and the first one has no header row (an annotated
            # workbook's error list comes first, say): the table is on one of the next sheets.
            for other in _worksheet_names(data)[1:]:
                name, rows = _workbook_rows(data, table, None, sheet=other)
                with contextlib.suppress(NoHeaderError):
                    return _find_table(name, rows, table, from_sheet_name=False)
            raise
    if str(file_name).lower().endswith((".csv", ".txt")):
        return _csv_table(data, table)
    raise WorkbookError(
        _(
            "This file is not an Excel workbook (.xlsx) nor a CSV file: "
            "save it from Excel as .xlsx and try again."
        )
    )


def _load(source):
    """A path stays a path (python-calamine reads it without copying); anything else becomes bytes."""
    if isinstance(source, str | os.PathLike):
        check_size(os.path.getsize(source))
        return os.fspath(source)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
    check_size(len(data))
    return data


def _read_head(path):
    with open(path, "rb") as file:
        return file.read(8)


def _open_book(data, stream):
    with _calamine_errors():
        if isinstance(data, str):
            return CalamineWorkbook.from_path(data)
        stream.seek(0)
        return CalamineWorkbook.from_filelike(stream)


def _worksheet_names(data):
    stream = data if isinstance(data, str) else io.BytesIO(data)
    book = _open_book(data, stream)
    return [meta.name for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]


def _workbook_rows(data, table, meanwhile, *, sheet=None):
    """(name, rows) of the worksheet named for ``table``, else the first one (or ``sheet``)."""
    stream = data if isinstance(data, str) else io.BytesIO(data)
    zipped = zipfile.is_zipfile(stream)
    if zipped:
        _check_expanded_size(stream)
    book = _open_book(data, stream)
    with _calamine_errors():
        names = [meta.name for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]
        if not names:
            raise WorkbookError(_("The workbook is empty: it has no worksheet."))
        name = sheet or next((name for name in names if _is_named_sheet(name, table)), names[0])
    if zipped:
        _check_extent(stream, name)
    with _calamine_errors():
        if meanwhile is None:
            return name, _CalamineRows(book.get_sheet_by_name(name))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(book.get_sheet_by_name, name)
        # Outside _calamine_errors: a database error in there is not a broken file.
        meanwhile(_rows_estimate(data))
        with _calamine_errors():
            return name, _CalamineRows(parsing.result())


@contextlib.contextmanager
def _calamine_errors():
    try:
        yield
    except WorkbookError:
        raise
    except Exception as exc:  # python-calamine raises several types for broken files
        raise WorkbookError(_unreadable()) from exc


# A row of the projects workbook (17 columns) takes about 100 bytes once zipped.
_ZIPPED_BYTES_PER_ROW = 100


def _rows_estimate(data):
    """About how many rows a workbook holds, from its size, before it is parsed."""
    size = os.path.getsize(data) if isinstance(data, str) else len(data)
    return size // _ZIPPED_BYTES_PER_ROW


def _unreadable():
    return _(
        "This file cannot be read as an Excel workbook: it is damaged, protected by a password, "
        "or not really an .xlsx file. Open it in Excel, save it as .xlsx and try again."
    )


def _check_expanded_size(stream):
    limit = UNCOMPRESSED_RATIO_LIMIT * settings.IMPORT_MAX_UPLOAD_BYTES
    try:
        with zipfile.ZipFile(stream) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
            # Only .xlsx (and .xlsm) are read: other zipped formats python-calamine opens
            # (.ods, .xlsb) would reach its grid without the extent check below.
            xlsx = "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(_unreadable()) from exc
    if not xlsx:
        raise WorkbookError(_unreadable())
    if expanded > limit:
        raise WorkbookError(
            _("This file expands to far more data than a workbook of its size can hold: refused.")
        )


def _check_extent(stream, sheet_name):
    """Refuse a worksheet that reaches too far, before python-calamine builds its grid."""
    max_rows = settings.IMPORT_MAX_ROWS + EXTRA_SHEET_ROWS
    try:
        with zipfile.ZipFile(stream) as archive:
            for part in xlsx_extent.worksheet_parts(archive, sheet_name):
                xlsx_extent.check(
                    functools.partial(archive.open, part),
                    max_rows=max_rows,
                    max_columns=MAX_SHEET_COLUMNS,
                    max_cells=max_rows * FULL_HEIGHT_COLUMNS,
                )
    except (zipfile.BadZipFile, OSError, xlsx_extent.Unreadable) as exc:
        raise WorkbookError(_unreadable()) from exc
    except xlsx_extent.TooLarge as exc:
        raise WorkbookError(
            _(
                'Worksheet "%(sheet)s" is too large to import: it reaches cell %(cell)s. A worksheet to '
                "import may have at most %(rows)s rows, %(columns)s columns and %(cells)s cells from A1 "
                "to its last cell. Delete the rows and columns beyond the table (or copy the table alone "
                "into a new workbook), then import it again."
            )
            % {
                "sheet": sheet_name,
                "cell": exc.cell,
                "rows": grouped(max_rows),
                "columns": MAX_SHEET_COLUMNS,
                "cells": grouped(max_rows * FULL_HEIGHT_COLUMNS),
            }
        ) from None


def grouped(number):
    """12 345 678 with no-break spaces, the way the spec writes numbers in every language."""
    return f"{number:,}".replace(",", "\u00a0")


class _CalamineRows:
    """Sheet rows from python-calamine, read lazily; errors while reading become WorkbookError."""

    def __init__(self, sheet):
        self.sheet = sheet

    def __iter__(self):
        try:
            # iter_rows() starts at the sheet's first row, so row i is sheet row i + 1.
            yield from self.sheet.iter_rows()
        except Exception as exc:
            raise WorkbookError(_unreadable()) from exc


def _is_named_sheet(name, table):
    return normalise(name) in {normalise(sheet_name) for sheet_name in table.sheet_names}


def _csv_table(data, table):
    if isinstance(data, str):
        with open(data, "rb") as file:
            data = file.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (separator: semicolon)" on a French Windows.
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise WorkbookError(_("This file is not a CSV file (it holds binary data)."))
    no_header = unreadable = None
    # The separator is whichever of ; , or tab gives a header row: French Excel writes ";"
    # and amounts with decimal commas, so counting commas would mislead.
    for delimiter in (";", ",", "\t"):
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            return _find_table("CSV", rows, table, from_sheet_name=False)
        except NoHeaderError as exc:
            no_header = no_header or exc
        except csv.Error as exc:  # quotes that only make sense with another separator
            unreadable = unreadable or WorkbookError(_csv_problem(exc, rows.line_num))
    raise unreadable or no_header


def _csv_problem(error, line):
    """What the csv module's (English) error means for the official."""
    # The csv module says so only in words: "field larger than field limit (131072)".
    if "field limit" in str(error):
        return _(
            "Line %(line)s of this CSV file holds a cell longer than %(limit)s characters, far more than "
            "any column of the format needs: a quote is probably missing or misplaced. Correct the "
            "file, or save it from Excel as .xlsx, and try again."
        ) % {"line": grouped(line), "limit": grouped(csv.field_size_limit())}
    return _(
        "This CSV file cannot be read near line %(line)s: its quotes or separators do not match. "
        "Save it again from Excel (as .xlsx or CSV) and try again."
    ) % {"line": grouped(line)}


def ignored_columns_warning(headers):
    """One warning for the header cells that name no column (None when there are none): a
    file may have thousands of them, and the official needs their number and a few names."""
    if len(headers) == 1:
        return _('The column "%(column)s" is not part of the format: it was ignored.') % {
            "column": headers[0]
        }
    if not headers:
        return None
    # Each name isolated: an Arabic header in a French sentence and the reverse keep their order.
    names = pgettext("list separator", ", ").join(
        f"\u2068{name}\u2069" for name in headers[:LISTED_IGNORED_COLUMNS]
    )
    if len(headers) > LISTED_IGNORED_COLUMNS:
        names += "…"
    return _("Columns that are not part of the format were ignored (%(count)s in all): %(names)s") % {
        "count": grouped(len(headers)),
        "names": names,
    }


def read_rows(rows, *, table, sheet_name=""):
    """Find ``table`` in rows already read (lists of cell values, the first row being row 1)."""
    return _find_table(sheet_name, rows, table, from_sheet_name=False)


def _find_table(sheet_name, rows, table, *, from_sheet_name):
    rows = iter(rows)
    header_row = None
    seen_cells = False
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        if any(_present(cell) for cell in cells):
            seen_cells = True
        matches = {table.match_header(cell) for cell in cells if _present(cell)}
        matches.discard(None)
        if len(matches) >= MIN_HEADER_MATCHES:
            header_row = number
            break
    if header_row is None:
        if not seen_cells:
            raise NoHeaderError(_("The file is empty: its worksheet has no data."))
        expected = join_items(column.fr for column in table.columns if column.required)
        names = join_items(table.sheet_names)
        message = (
            _(
                'No header row in worksheet "%(sheet)s": the column names (%(columns)s) must be in one '
                "of its first 10 rows."
            )
            if from_sheet_name
            else _(
                "No sheet of this workbook holds the table: no worksheet is named %(names)s, and the first "
                'worksheet "%(sheet)s" has no header row with the column names (%(columns)s) '
                "in its first 10 rows."
            )
        )
        raise NoHeaderError(message % {"sheet": sheet_name, "columns": expected, "names": names})
    sheet = _read_header(sheet_name, header_row, cells, table)
    _read_data(sheet, rows, header_row, sheet.positions)
    return sheet


def _present(cell):
    return cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip())


def _read_header(sheet_name, header_row, cells, table):
    positions = {}
    headers = {}
    ignored = []
    errors = []
    for position, cell in enumerate(cells):
        if not _present(cell):
            continue
        text = " ".join(str(cell).split())
        key = table.match_header(text)
        if key is None:
            ignored.append(text)
        elif key in positions:
            errors.append(
                RowError(
                    header_row,
                    text,
                    text,
                    _('This column appears twice in the header row (also as "%(other)s").')
                    % {"other": headers[key]},
                )
            )
        else:
            positions[key] = position
            headers[key] = text
    for column in table.columns:
        if column.required and column.key not in positions:
            errors.append(
                RowError(
                    header_row,
                    column.fr,
                    "",
                    _('The required column "%(french)s" (%(arabic)s) is missing.')
                    % {"french": column.fr, "arabic": column.ar},
                )
            )
    if errors:
        raise WorkbookError(errors)
    # A column the file lacks reads as blank cells.
    return Sheet(
        table=table,
        name=sheet_name,
        header_row=header_row,
        headers=headers,
        ignored=ignored,
        positions=[positions.get(column.key) for column in table.columns],
    )


def _read_data(sheet, rows, header_row, positions):
    max_rows = settings.IMPORT_MAX_ROWS
    # A column the file lacks points at the None that pads each row: itemgetter then picks
    # a row's values in one C call, which matters at 10⁵ rows.
    width = max((position for position in positions if position is not None), default=0) + 1
    pick = operator.itemgetter(*(-1 if position is None else position for position in positions))
    padding = [None] * (width + 1)
    # A file of 10⁵ rows names the same commune or holder thousands of times, each cell a
    # separate string: keeping one copy of each saves about a third of the rows' memory.
    repeated = [index for index, column in enumerate(sheet.table.columns) if column.repeats]
    once = {}.setdefault
    kept = sheet.rows
    for number, cells in enumerate(rows, start=header_row + 1):
        first = cells[0] if cells else None
        if not first or (first.__class__ is str and first.isspace()):
            first = next(filter(None, cells), None)
            if first is None or (isinstance(first, str) and not first.strip()):
                first = next((cell for cell in cells if _present(cell)), None)
                if first is None:
                    continue  # blank row
        if isinstance(first, str) and first.lstrip()[:1].casefold() in _TOTALS_INITIALS and _is_totals(first):
            sheet.skipped.append(number)
            # Kept (not imported) so that its amounts can be checked against the rows above.
            cells = [*cells, *padding[len(cells) :]] if len(cells) <= width else [*cells, None]
            sheet.totals.append((number, tuple(pick(cells)), len(kept)))
            continue
        if len(kept) >= max_rows:
            raise WorkbookError(
                _("The file has more than %(max)s rows; import at most %(max)s rows at a time.")
                % {"max": format_number(max_rows, 0)}
            )
        cells = [*cells, *padding[len(cells) :]] if len(cells) <= width else [*cells, None]
        values = list(pick(cells))
        for index in repeated:
            value = values[index]
            if value.__class__ is str:
                values[index] = once(value, value)
        kept.append((number, tuple(values)))
    if not sheet.rows:
        raise WorkbookError(
            [
                RowError(
                    header_row,
                    "",
                    "",
                    _('Worksheet "%(sheet)s" has a header row but no rows to import under it.')
                    % {"sheet": sheet.name},
                )
            ]
        )


# --- The totals line -----------------------------------------------------------------

AMOUNT_KEYS = ("total_cost", "indh_contribution", "partner_contribution", "holder_contribution")


def check_totals(sheet):
    """Each amount on the sheet's totals lines against the sum of its column's rows (exact, Decimal).

    None when the sheet has no totals line with an amount; otherwise {"checked": n, "mismatches":
    [{"row", "column", "on_line", "from_rows"}]}, amounts as strings: kept on the ImportBatch and
    worded in the reader's language (funding.services.total_line_messages). A line sums the rows since
    the previous totals line; a grand total under subtotals sums every row above it.
    """
    if not sheet.totals:
        return None
    keys = [column.key for column in sheet.table.columns]
    # Only the columns a totals line fills are summed (10⁵ rows take about 0.15 s a column).
    indexes = [
        (keys.index(key), key)
        for key in AMOUNT_KEYS
        if key in keys
        and sheet.headers.get(key)
        and any(_present(values[keys.index(key)]) for _number, values, _before in sheet.totals)
    ]
    if not indexes:
        return None
    # The column sums over the first n data rows, for each n where a totals line sits: one pass, and
    # no list of 10⁵ running sums.
    sums = {key: {} for _index, key in indexes}
    boundaries = {before for _number, _values, before in sheet.totals}
    for index, key in indexes:
        total = Decimal(0)
        column_sums = sums[key]
        for count, (_number, values) in enumerate(sheet.rows):
            if count in boundaries:
                column_sums[count] = total
            value = values[index]
            if value is not None and value != "":
                with contextlib.suppress(CellError):
                    total += parse_amount(value)
        column_sums[len(sheet.rows)] = total
        column_sums[0] = Decimal(0)
    checked = 0
    mismatches = []
    previous = 0
    for number, values, before in sheet.totals:
        for index, key in indexes:
            value = values[index]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                on_line = parse_number(value).quantize(CENT)
            except (CellError, decimal.InvalidOperation):
                continue  # a label, a note or a figure beyond any amount: nothing to compare
            everything = sums[key][before]
            section = everything - sums[key][previous]
            checked += 1
            if on_line in (section, everything):
                continue
            mismatches.append(
                {
                    "row": number,
                    "column": sheet.header(key),
                    "on_line": str(on_line),
                    "from_rows": str(section if before > previous else everything),
                }
            )
        previous = before
    if not checked:
        return None
    return {"checked": checked, "mismatches": mismatches}
