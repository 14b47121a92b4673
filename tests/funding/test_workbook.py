"""Reading officials' workbooks as they are (spec: import-format.md): headers, rows, values."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from funding import workbook
from funding.workbook import PROJECTS, CellError, WorkbookError
from tests.funding.workbooks import FRENCH_HEADERS, SAMPLE_AR, SAMPLE_FR, project_row, xlsx


def read(data, file_name="file.xlsx"):
    return workbook.read_table(data, table=PROJECTS, file_name=file_name)


def cell(sheet, key, index=0):
    keys = [column.key for column in PROJECTS.columns]
    return sheet.rows[index][1][keys.index(key)]


# --- headers -------------------------------------------------------------------------


def test_both_samples_are_found_with_every_column():
    for path in (SAMPLE_FR, SAMPLE_AR):
        sheet = read(path)
        assert sheet.header_row == 1
        assert set(sheet.headers) == {column.key for column in PROJECTS.columns}
        assert len(sheet.rows) == 12
        assert sheet.ignored == []


def test_header_row_is_found_under_title_and_blank_rows():
    data = xlsx([project_row()], above=[["Bilan INDH 2019-2025"], [], ["Province de Khénifra"], []])
    sheet = read(data)
    assert sheet.header_row == 5
    assert sheet.rows[0][0] == 6
    assert cell(sheet, "code") == "INDH-KHN-2024-001"


def test_header_row_below_row_10_is_not_found():
    data = xlsx([project_row()], above=[["Bilan"]] * 10)
    with pytest.raises(WorkbookError) as error:
        read(data)
    assert "10" in str(error.value)


FRENCH_VARIANTS = [
    "CODE PROJET",
    "Intitule du projet",
    "  Porteur   du projet ",
    "Type de porteur :",
    "N d'immatriculation",
    "Secteur",
    "Commune",
    "Programme",
    "Annee",
    "Coût global",
    "Contribution INDH (MAD)",
    "Contribution partenaires Dhs",
    "Apport du porteur (DH)",
    "STATUT",
    "Date de signature de la convention",
    "Emplois crees",
    "Nombre d’adhérents",
]
ARABIC_VARIANTS = [
    "رمـــز المشروع",  # tatweel
    "عُنْوان المشروع",  # diacritics
    "حامل المشروع",
    "نوع الحامل",
    "رقم التسجيل",
    "القطاع",
    "الجماعة",
    "البرنامج",
    "السنة",
    "الكلفة الإجمالية",
    "مساهمة المبادرة (درهم)",
    "مساهمة الشركاء",
    "مساهمة حامل المشروع (درهم)",
    "الوضعية",
    "تاريخ توقيع الاتفاقية",
    "مناصب الشغل المحدثة",
    "عدد المنخرطين",
]
ENGLISH_VARIANTS = [
    "Project code",
    "project title",
    "Holder",
    "Holder type",
    "Registration number",
    "Sector",
    "Commune",
    "Programme",
    "Year",
    "Total cost (MAD)",
    "INDH contribution (MAD)",
    "Partners contribution (MAD)",
    "Holder contribution",
    "Status",
    "Agreement signed on",
    "Jobs created",
    "Members",
]


@pytest.mark.parametrize(
    "headers", [FRENCH_VARIANTS, ARABIC_VARIANTS, ENGLISH_VARIANTS], ids=["fr", "ar", "en"]
)
def test_headers_match_in_any_language_ignoring_case_accents_and_punctuation(headers):
    sheet = read(xlsx([project_row()], headers))
    assert set(sheet.headers) == {column.key for column in PROJECTS.columns}
    assert sheet.ignored == []
    assert cell(sheet, "total_cost") == 200000
    # Errors name the column as the official wrote it.
    assert sheet.header("total_cost") == headers[9].strip()


def test_columns_may_come_in_any_order_and_optional_ones_may_be_missing():
    headers = ["Commune", "Année", "Contribution INDH (DH)", "Secteur", "Code projet", "Porteur du projet"]
    headers += ["Coût global (DH)", "Intitulé du projet"]
    row = ["Lehri", 2023, 1000, "Tourisme", "X-1", "Coop", 5000, "Gîte"]
    sheet = read(xlsx([row], headers))
    assert cell(sheet, "code") == "X-1"
    assert cell(sheet, "commune") == "Lehri"
    assert cell(sheet, "status") is None
    assert cell(sheet, "programme") is None


def test_unknown_column_is_ignored_and_reported():
    headers = [*FRENCH_HEADERS, "Observations"]
    sheet = read(xlsx([[*project_row().values(), "à suivre"]], headers))
    assert sheet.ignored == ["Observations"]


def test_missing_required_columns_are_all_named_in_french_and_arabic():
    headers = [h for h in FRENCH_HEADERS if h not in ("Secteur", "Année")]
    rows = [[value for header, value in project_row().items() if header in headers]]
    with pytest.raises(WorkbookError) as error:
        read(xlsx(rows, headers))
    messages = [e.message for e in error.value.errors]
    assert len(messages) == 2
    assert any("Secteur" in m and "القطاع" in m for m in messages)
    assert any("Année" in m and "السنة" in m for m in messages)


def test_a_column_given_twice_rejects_the_file():
    headers = [*FRENCH_HEADERS, "Secteur"]
    with pytest.raises(WorkbookError) as error:
        read(xlsx([[*project_row().values(), "Tourisme"]], headers))
    assert error.value.errors[0].column == "Secteur"


# --- sheets and rows -------------------------------------------------------------------


def test_the_sheet_named_projets_is_read_even_when_not_first():
    data = xlsx([project_row()], sheet="المشاريع", extra_sheets=["Notes", "Graphiques"])
    assert read(data).name == "المشاريع"


def test_the_first_sheet_is_read_when_none_is_named():
    data = xlsx([project_row()], sheet="Feuil1")
    assert read(data).name == "Feuil1"


@pytest.mark.parametrize("label", ["Total", "TOTAL", "Totaux", "المجموع", "المجموع العام", " total : "])
def test_totals_lines_are_skipped_and_counted(label):
    data = xlsx(
        [project_row("A"), project_row("B")],
        below=[[label, None, None, None, None, None, None, None, None, 400000]],
    )
    sheet = read(data)
    assert [values[0] for _number, values in sheet.rows] == ["A", "B"]
    assert sheet.skipped == [4]


def test_a_totals_line_is_recognised_by_its_first_non_empty_cell():
    data = xlsx([project_row("A")], below=[[None, None, "Total", None, None, None, None, None, None, 200000]])
    assert read(data).skipped == [3]


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet():
    data = xlsx([project_row("A"), [], [None, "  "], project_row("B")])
    sheet = read(data)
    assert [number for number, _values in sheet.rows] == [2, 5]


# --- values ----------------------------------------------------------------------------

AMOUNTS = [
    (1250000.5, "1250000.50"),
    (1250000, "1250000.00"),
    ("1 250 000,50", "1250000.50"),
    ("1\u00a0250\u00a0000,50", "1250000.50"),
    ("1\u202f250\u202f000,50", "1250000.50"),
    ("1.250.000,50", "1250000.50"),
    ("1250000,5", "1250000.50"),
    ("81,70", "81.70"),
    ("1250000.50", "1250000.50"),
    ("١٬٢٥٠٬٠٠٠٫٥٠", "1250000.50"),
    ("١٢٥٠٠٠٠", "1250000.00"),
    ("\u200f١٬٢٥٠٬٠٠٠٫٥٠\u200f", "1250000.50"),
    ("1 250 000 DH", "1250000.00"),
    (37500.000000000007, "37500.00"),  # float noise of a formula cell
]


@pytest.mark.parametrize(("value", "expected"), AMOUNTS)
@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_amounts_are_read_the_same_whatever_the_language(value, expected, language):
    with translation.override(language):
        amount = workbook.parse_amount(value)
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value",
    [
        "1,250,000.50",
        "12 50",
        "1.25,5",
        "abc",
        "1.250",
        "81,705",
        0.125,
        "-5",
        -5.0,
        "1e6",
        "1 250.000,00",
        True,
    ],
)
def test_amounts_not_written_as_the_spec_allows_are_refused(value):
    with pytest.raises(CellError):
        workbook.parse_amount(value)


def test_amount_errors_say_what_is_expected():
    with pytest.raises(CellError) as error:
        workbook.parse_amount("1,250,000.50")
    # The example keeps its digits together in Arabic: no-break spaces, never U+0020.
    assert "1\u00a0250\u00a0000,50" in str(error.value)
    with pytest.raises(CellError) as error:
        workbook.parse_amount("81,705")
    assert "2" in str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2021, 12, 28), datetime.date(2021, 12, 28)),
        (datetime.date(2021, 12, 28), datetime.date(2021, 12, 28)),
        ("28/12/2021", datetime.date(2021, 12, 28)),
        ("2021-12-28", datetime.date(2021, 12, 28)),
        ("٢٨/١٢/٢٠٢١", datetime.date(2021, 12, 28)),
        (44558.0, datetime.date(2021, 12, 28)),  # a date cell that lost its format
    ],
)
def test_dates(value, expected):
    assert workbook.parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2021", "2021", 2021.0, "12/28/2021", "hier"])
def test_dates_not_in_the_spec_are_refused(value):
    with pytest.raises(CellError):
        workbook.parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"), [(12.0, 12), ("12", 12), ("١٢", 12), ("1 200", 1200), (0.0, 0)]
)
def test_whole_numbers(value, expected):
    assert workbook.parse_int(value) == expected


@pytest.mark.parametrize("value", [12.5, "-3", "douze", "12,5"])
def test_whole_numbers_refuse_fractions_negatives_and_words(value):
    with pytest.raises(CellError):
        workbook.parse_int(value)


def test_registration_numbers_stay_text():
    assert workbook.clean_text(80261.0) == "80261"
    assert workbook.clean_text("00457") == "00457"
    assert workbook.clean_text(" KHN-2024-067 ") == "KHN-2024-067"


def test_text_an_export_protected_from_formulas_reads_back_as_written():
    assert workbook.clean_text('\'=HYPERLINK("x")') == '=HYPERLINK("x")'
    assert workbook.clean_text("'-") == "-"
    assert workbook.clean_text("l'atelier") == "l'atelier"


def test_reference_values_match_by_code_or_any_name_leniently():
    choices = workbook.Choices(
        [("handicrafts", ("handicrafts", "Artisanat", "الصناعة التقليدية", "Handicrafts"), "Artisanat")]
    )
    for text in (
        "handicrafts",
        "ARTISANAT",
        " artisanat ",
        "الصناعة التقليدية",
        "الصناعـة التقليديّة",
        "Handicrafts",
    ):
        assert choices.find(text) == "handicrafts"


def test_unknown_reference_values_list_the_closest_or_all_accepted_values():
    choices = workbook.Choices(
        [
            ("agriculture", ("agriculture", "Agriculture"), "Agriculture"),
            ("tourism", ("tourism", "Tourisme"), "Tourisme"),
        ]
    )
    with pytest.raises(CellError) as error:
        choices.find("Agricultur")
    assert "Agriculture" in str(error.value)
    assert "Tourisme" not in str(error.value)
    with pytest.raises(CellError) as error:
        choices.find("Mines")
    assert "Agriculture" in str(error.value) and "Tourisme" in str(error.value)


def test_a_name_shared_by_two_entries_asks_for_the_code():
    choices = workbook.Choices(
        [(1, ("el-borj", "El Borj"), "El Borj (A)"), (2, ("el-borj-2", "El Borj"), "El Borj (B)")]
    )
    with pytest.raises(CellError) as error:
        choices.find("El Borj")
    assert "El Borj (A)" in str(error.value)
    assert choices.find("el-borj-2") == 2
