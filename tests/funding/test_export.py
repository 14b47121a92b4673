"""Exports write the import format back: re-importing one changes nothing, and no cell runs as a formula."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from cooperatives.models import Commune, Holder, Province, Region
from funding import services
from funding.models import Project
from tests.factories import make_holder, make_project
from tests.funding.workbooks import FRENCH_HEADERS, SAMPLE_FR

pytestmark = pytest.mark.django_db


def export(fmt, queryset=None):
    return services.export_projects(
        queryset=queryset if queryset is not None else Project.objects.all(), fmt=fmt
    )


def xlsx_rows(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def hostile_project():
    holder = make_holder(name='=HYPERLINK("http://evil","x")', registration_number="00457", members_total=12)
    return make_project(
        code="+33-CODE",
        title="@SUM(A1:A9)",
        holder=holder,
        total_cost=Decimal("1250000.50"),
        indh_contribution=Decimal("1000000.25"),
        partner_contribution=Decimal("0.00"),
        holder_contribution=Decimal("250000.25"),
        agreement_signed_on=datetime.date(2024, 2, 29),
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exporting_and_reimporting_changes_nothing(fmt):
    assert services.import_workbook(file=SAMPLE_FR, file_name="s.xlsx").ok
    hostile_project()
    make_project(code="TAB", title="\tindent", status="cancelled")
    before = sorted(
        Project.objects.values_list("code", "title", "total_cost", "status", "holder__name", "updated_at")
    )
    result = services.import_workbook(file=export(fmt), file_name=f"export.{fmt}")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 14)
    after = sorted(
        Project.objects.values_list("code", "title", "total_cost", "status", "holder__name", "updated_at")
    )
    assert after == before


def test_the_xlsx_export_has_the_french_headers_numbers_dates_and_text_cells():
    hostile_project()
    rows, sheet = xlsx_rows(export("xlsx"))
    assert sheet.title == "Projets"
    assert rows[0] == FRENCH_HEADERS
    row = dict(zip(FRENCH_HEADERS, rows[1], strict=True))
    assert row["Coût global (DH)"] == 1250000.5
    assert sheet["J2"].data_type == "n"
    assert row["Année"] == 2024
    assert row["Date de signature de la convention"] == datetime.datetime(2024, 2, 29)
    assert row["N° d'immatriculation"] == "00457"
    assert sheet["E2"].data_type == "s"
    assert row["Type de porteur"] == "Coopérative"
    assert row["Statut"] == "Programmé"


def test_text_that_would_run_as_a_formula_is_neutralised():
    hostile_project()
    rows, sheet = xlsx_rows(export("xlsx"))
    row = dict(zip(FRENCH_HEADERS, rows[1], strict=True))
    assert row["Code projet"] == "'+33-CODE"
    assert row["Intitulé du projet"] == "'@SUM(A1:A9)"
    assert row["Porteur du projet"] == '\'=HYPERLINK("http://evil","x")'
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    lines = list(csv.reader(io.StringIO(export("csv").decode("utf-8-sig"))))
    assert lines[1][0] == "'+33-CODE"
    assert lines[1][2].startswith("'=")
    assert lines[1][9] == "1250000.50"  # numbers stay numbers


@pytest.mark.parametrize("title", ["-2+3", "\tcmd", "\rcmd", "=1+1", "+1", "@x"])
def test_every_formula_trigger_is_neutralised_and_reads_back(title):
    make_project(code="F-1", title=title)
    for fmt in ("xlsx", "csv"):
        data = export(fmt)
        if fmt == "xlsx":
            # Read as Excel reads it (a carriage return is stored as _x000D_).
            rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
            assert rows[1][1] == "'" + title
        else:
            assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1][1] == "'" + title
        assert services.import_workbook(file=data, file_name=f"x.{fmt}").unchanged == 1
    assert Project.objects.get(code="F-1").title == title


def test_the_csv_export_is_utf8_with_a_bom_and_keeps_leading_zeros():
    hostile_project()
    data = export("csv")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == FRENCH_HEADERS
    assert lines[1][4] == "00457"


def test_a_commune_name_shared_by_two_provinces_is_exported_as_its_code():
    other = Province.objects.create(
        code="YY", name_fr="Autre", name_ar="أخرى", region=Region.objects.get(code="BMK")
    )
    twin = Commune.objects.create(code="el-borj-yy", name_fr="El Borj", name_ar="البرج", province=other)
    make_project(code="TWIN", commune=twin)
    make_project(code="HOME", commune=Commune.objects.get(code="el-borj"))
    rows, _sheet = xlsx_rows(export("xlsx"))
    communes = {row[0]: row[6] for row in rows[1:]}
    assert communes == {"TWIN": "el-borj-yy", "HOME": "el-borj"}
    result = services.import_workbook(file=export("xlsx"), file_name="x.xlsx")
    assert (result.ok, result.unchanged) == (True, 2)


def test_private_holder_fields_are_never_exported():
    make_project(holder=make_holder(phone="0612345678", email="coop@example.org", private_notes="dette"))
    data = export("csv") + services.export_holders(queryset=Holder.objects.all(), fmt="csv")
    for secret in (b"0612345678", b"coop@example.org", b"dette"):
        assert secret not in data


def test_the_export_command_writes_a_reimportable_file(tmp_path):
    services.import_workbook(file=SAMPLE_FR, file_name="s.xlsx")
    for name in ("projets.xlsx", "projets.csv"):
        out = io.StringIO()
        call_command("export_projects", str(tmp_path / name), stdout=out)
        assert "12" in out.getvalue()
        result = services.import_workbook(file=tmp_path / name, file_name=name)
        assert (result.ok, result.unchanged) == (True, 12)


def test_the_export_command_refuses_other_formats(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_projects", str(tmp_path / "projets.json"))


def test_the_empty_template_imports_once_filled():
    data = services.projects_template()
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == FRENCH_HEADERS
    assert len(book.worksheets) == 2  # the accepted values
    sheet.append(["T-1", "Gîte", "Coop", None, None, "Tourisme", "El Kbab", None, 2024, 90000, 45000])
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.import_workbook(file=buffer.getvalue(), file_name="template.xlsx")
    assert (result.ok, result.created) == (True, 1), result.errors
