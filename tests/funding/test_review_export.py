"""The yearly review's Excel workbook: the page's tables, numbers as numbers, amounts exact."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cooperatives.models import Sector
from funding.models import Project
from tests.factories import make_project
from tests.funding.test_review import in_language

pytestmark = pytest.mark.django_db


def download(client, query=""):
    response = client.get(in_language("review-xlsx", query))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response, load_workbook(BytesIO(response.content))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows()]


def test_workbook_holds_the_published_figures_as_exact_numbers(client, demo_data):
    response, workbook = download(client, "lang=fr")

    assert response["Content-Disposition"] == 'attachment; filename="bilan-indh-2019-2025.xlsx"'
    # No comparison sheet: the previous period (2012–2018) has no project.
    assert workbook.sheetnames == [
        "Bilan",
        "Par secteur",
        "Par année",
        "Par commune",
        "Par programme",
    ]
    first_cells = [str(row[0].value) for row in rows(workbook["Bilan"]) if row[0].value]
    assert any(text.startswith("Données à jour au ") for text in first_cells)  # the last change of the data
    figures = {row[0].value: row[1] for row in rows(workbook["Bilan"]) if row[1].data_type == "n"}
    assert Decimal(str(figures["Coût total"].value)) == Decimal("89420000.00")
    assert figures["Coût total"].number_format == "#,##0.00"
    assert Decimal(str(figures["Contribution de l'INDH"].value)) == Decimal("42210000.00")
    assert Decimal(str(figures["Coût total des projets des coopératives"].value)) == Decimal("81700000.00")
    assert figures["Projets"].value == 99
    assert figures["Coopératives soutenues"].value == 71
    assert figures["Conventions signées au titre de 2025"].value == 13
    assert Decimal(str(figures["Coût total des conventions de 2025"].value)) == Decimal("2230000.00")
    assert Decimal(str(figures["Contribution de l'INDH aux conventions de 2025"].value)) == Decimal(
        "2010000.00"
    )

    sectors = {row[0].value: [cell.value for cell in row[1:]] for row in rows(workbook["Par secteur"])[1:]}
    assert {name: values[0] for name, values in sectors.items()} == {
        "Agriculture": 39,
        "Artisanat": 44,
        "Tourisme": 16,
    }


def test_amounts_are_written_to_the_cent_without_float_rounding(client):
    # 0.10 + 0.20 is 0.30000000000000004 in floating point: the cell must hold 0.30.
    make_project(year=2024, total_cost=Decimal("1234567.89"), indh_contribution=Decimal("0.10"))
    make_project(year=2024, total_cost=Decimal("100000.00"), indh_contribution=Decimal("0.20"))

    _response, workbook = download(client, "lang=en")

    year, projects, total_cost, indh = (cell.value for cell in rows(workbook["By year"])[1])
    assert (year, projects) == (2024, 2)
    assert Decimal(str(total_cost)) == Decimal("1334567.89")
    assert Decimal(str(indh)) == Decimal("0.30")


def test_comparison_sheet_gives_changes_as_percentages(client):
    make_project(year=2023, total_cost=Decimal("200000.00"))
    make_project(year=2024, total_cost=Decimal("250000.00"))

    _response, workbook = download(client, "lang=fr&year=2024")

    sheet = workbook["Comparaison"]
    header, projects, cost, _indh = rows(sheet)[:4]
    assert [cell.value for cell in header] == [
        "Indicateur",
        "Période précédente (2023)",
        "Période du bilan (2024)",
        "Évolution",
    ]
    assert [cell.value for cell in projects] == ["Projets", 1, 1, 0]
    assert Decimal(str(cost[3].value)) == Decimal("0.25")
    assert cost[3].number_format == "0.0%"


def test_arabic_workbook_reads_right_to_left(client, demo_data):
    _response, workbook = download(client, "lang=ar")

    assert all(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)
    assert workbook.worksheets[0]["A1"].value == "حصيلة إنجازات المبادرة الوطنية للتنمية البشرية"


def test_names_from_the_data_cannot_become_formulas(client):
    sector = Sector.objects.create(
        code="hostile", name_fr='=HYPERLINK("http://evil")', name_ar="x", name_en=""
    )
    make_project(sector=sector, year=2024)

    _response, workbook = download(client, "lang=fr")

    labels = [row[0].value for row in rows(workbook["Par secteur"])[1:]]
    assert labels == ['\'=HYPERLINK("http://evil")']
    assert Project.objects.count() == 1


def test_workbook_of_an_empty_selection_only_says_so(client):
    _response, workbook = download(client, "lang=fr")

    assert workbook.sheetnames == ["Bilan"]
    texts = [row[0].value for row in rows(workbook["Bilan"])]
    assert "Aucun projet n'a encore été enregistré pour ces filtres." in texts
