"""The open-data API as open-data-api.md defines it: /api/v1/summary and /api/v1/projects."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django import forms
from django.utils import translation

from cooperatives.models import Commune, HolderType, Sector
from funding import queries
from funding.models import Programme, Project, ProjectStatus
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/summary"
PROJECTS = "/api/v1/projects"
TWO_DECIMALS = re.compile(r"^\d+\.\d{2}$")
PRIVATE_PHONE = "+212 661 23 45 67"
PRIVATE_EMAIL = "tresoriere.privee@example.ma"
PRIVATE_NOTE = "Note interne : ne pas publier"


def csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def expected_totals(projects):
    """The summary's totals for a list of projects, computed here in Python."""
    return {
        "projects": len(projects),
        "holders": len({p.holder_id for p in projects}),
        "cooperatives": len(
            {p.holder_id for p in projects if p.holder.holder_type == HolderType.COOPERATIVE}
        ),
        "total_cost": f"{sum((p.total_cost for p in projects), Decimal('0')):.2f}",
        "indh_contribution": f"{sum((p.indh_contribution for p in projects), Decimal('0')):.2f}",
        "partner_contribution": f"{sum((p.partner_contribution for p in projects), Decimal('0')):.2f}",
        "holder_contribution": f"{sum((p.holder_contribution for p in projects), Decimal('0')):.2f}",
        "jobs": sum(p.jobs_created for p in projects),
    }


def projects_where(predicate):
    return [
        p
        for p in Project.objects.select_related("holder", "sector", "commune__province", "programme")
        if predicate(p)
    ]


def midelt_project():
    # Midelt's town in its province, from HCP's nomenclature (migration cooperatives 0009).
    commune = Commune.objects.get(code="midelt", province__code="midelt")
    return make_project(
        commune=commune, year=2024, programme=Programme.objects.get(code="P1"), jobs_created=3
    )


@pytest.mark.usefixtures("demo")
class TestOnTheDemoData:
    def test_summary_reproduces_the_published_figures(self, client):
        response = client.get(SUMMARY)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert data["totals"]["projects"] == 99
        assert data["totals"]["total_cost"] == "89420000.00"
        assert data["totals"]["cooperatives"] == 71
        assert data["totals"]["indh_contribution"] == "42210000.00"
        assert [(row["code"], row["projects"]) for row in data["by_sector"]] == [
            ("agriculture", 39),
            ("handicrafts", 44),
            ("tourism", 16),
        ]
        year_2025 = [row for row in data["by_year"] if row["year"] == 2025]
        assert year_2025 == [
            {
                "year": 2025,
                "projects": 13,
                "cooperatives": year_2025[0]["cooperatives"],
                "total_cost": "2230000.00",
                "indh_contribution": "2010000.00",
            }
        ]

    def test_cooperatives_filter_gives_their_published_cost(self, client):
        totals = client.get(SUMMARY, {"holder_type": "cooperative"}).json()["totals"]
        assert (totals["projects"], totals["cooperatives"], totals["total_cost"]) == (71, 71, "81700000.00")

    def test_summary_has_the_shape_of_the_spec(self, client):
        data = client.get(SUMMARY, {"year_from": 2019, "year_to": 2025, "sector": "agriculture"}).json()
        assert data["filters"] == {"year_from": 2019, "year_to": 2025, "sector": ["agriculture"]}
        assert list(data) == [
            "last_updated",
            "filters",
            "totals",
            "by_sector",
            "by_year",
            "by_sector_year",
            "by_commune",
            "by_province",
            "by_programme",
            "by_status",
            "meta",
            "licence",
            "about",
        ]
        assert set(data["by_sector"][0]) == {
            "code",
            "label",
            "projects",
            "cooperatives",
            "total_cost",
            "indh_contribution",
        }
        assert set(data["by_year"][0]) == {
            "year",
            "projects",
            "cooperatives",
            "total_cost",
            "indh_contribution",
        }
        assert set(data["by_sector_year"][0]) == {
            "code",
            "year",
            "projects",
            "total_cost",
            "indh_contribution",
        }
        assert set(data["by_programme"][0]) == {
            "code",
            "label",
            "projects",
            "total_cost",
            "indh_contribution",
        }
        for name in ("by_commune", "by_province"):
            assert set(data[name][0]) == {
                "code",
                "label",
                "projects",
                "total_cost",
                "indh_contribution",
                "population",
                "indh_per_inhabitant",
                "unemployment_rate",
                "illiteracy_rate",
            }
        assert set(data["by_status"][0]) == {"code", "label", "projects", "total_cost"}
        amounts = [data["totals"][name] for name in ("total_cost", "indh_contribution")]
        amounts += [row["total_cost"] for name in data if name.startswith("by_") for row in data[name]]
        assert all(isinstance(amount, str) and TWO_DECIMALS.match(amount) for amount in amounts)

    @pytest.mark.parametrize(
        "params, predicate",
        [
            ({"year": "2025"}, lambda p: p.year == 2025),
            ({"year_from": "2019", "year_to": "2024"}, lambda p: 2019 <= p.year <= 2024),
            ({"year_to": "2020"}, lambda p: p.year <= 2020),
            ({"sector": "agriculture"}, lambda p: p.sector.code == "agriculture"),
            ({"sector": ["agriculture", "tourism"]}, lambda p: p.sector.code in {"agriculture", "tourism"}),
            ({"commune": ["mrirt", "el-kbab"]}, lambda p: p.commune.code in {"mrirt", "el-kbab"}),
            ({"province": "midelt"}, lambda p: p.commune.province.code == "midelt"),
            ({"province": ["KHN", "midelt"]}, lambda p: True),
            ({"programme": "P3"}, lambda p: p.programme.code == "P3"),
            ({"programme": ["P1", "P3"]}, lambda p: p.programme.code in {"P1", "P3"}),
            ({"holder_type": "cooperative"}, lambda p: p.holder.holder_type == "cooperative"),
            (
                {"holder_type": ["association", "young_entrepreneur"]},
                lambda p: p.holder.holder_type in {"association", "young_entrepreneur"},
            ),
            ({"status": "completed"}, lambda p: p.status == "completed"),
            ({"status": ["in_progress", "cancelled"]}, lambda p: p.status in {"in_progress", "cancelled"}),
            (
                {
                    "year_from": "2021",
                    "sector": "handicrafts",
                    "holder_type": "cooperative",
                    "province": "KHN",
                },
                lambda p: (
                    p.year >= 2021
                    and p.sector.code == "handicrafts"
                    and p.holder.holder_type == "cooperative"
                    and p.commune.province.code == "KHN"
                ),
            ),
            (
                {
                    "year": "2024",
                    "programme": "P1",
                    "commune": "midelt",
                    "status": "programmed",
                    "lang": "ar",
                },
                lambda p: p.year == 2024 and p.programme.code == "P1" and p.commune.code == "midelt",
            ),
        ],
    )
    def test_every_filter_gives_the_figures_of_the_matching_projects(self, client, params, predicate):
        midelt_project()
        make_project(year=2023, status=ProjectStatus.CANCELLED)
        default_rule = (lambda p: p.status != "cancelled") if "status" not in params else (lambda p: True)
        expected = projects_where(lambda p: default_rule(p) and predicate(p))
        assert expected, "each case must select something, or it proves little"

        summary = client.get(SUMMARY, params)
        assert summary.status_code == 200, summary.content
        assert summary.json()["totals"] == expected_totals(expected)

        listed = client.get(PROJECTS, {**params, "page_size": 500}).json()
        assert listed["count"] == len(expected)
        assert sorted(row["code"] for row in listed["results"]) == sorted(p.code for p in expected)

    def test_summary_as_csv_gives_the_breakdowns(self, client):
        for response in (
            client.get(SUMMARY, {"format": "csv", "year": 2025}),
            client.get(SUMMARY, {"year": 2025}, HTTP_ACCEPT="text/csv"),
        ):
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/csv")
            rows = csv_rows(response)
            totals = [row for row in rows if row["breakdown"] == "totals"]
            assert [(row["projects"], row["total_cost"], row["indh_contribution"]) for row in totals] == [
                ("13", "2230000.00", "2010000.00")
            ]
            years = [row for row in rows if row["breakdown"] == "by_year"]
            assert [(row["year"], row["projects"]) for row in years] == [("2025", "13")]
            assert {row["breakdown"] for row in rows} >= {
                "by_sector",
                "by_commune",
                "by_programme",
                "by_status",
            }

    def test_summary_as_xlsx_has_a_sheet_per_breakdown_with_numbers(self, client):
        book = workbook(client.get(SUMMARY, {"format": "xlsx", "holder_type": "cooperative"}))
        assert book.sheetnames == [
            "totals",
            "by_sector",
            "by_year",
            "by_sector_year",
            "by_commune",
            "by_province",
            "by_programme",
            "by_status",
        ]
        totals = sheet_rows(book["totals"])[0]
        assert totals["projects"] == 71
        assert Decimal(str(totals["total_cost"])) == Decimal("81700000")
        assert book["totals"]["D2"].number_format == "#,##0.00"

    def test_projects_json_is_paginated(self, client):
        first = client.get(PROJECTS, {"page_size": 40}).json()
        assert (first["count"], len(first["results"]), first["previous"]) == (99, 40, None)
        assert first["next"].startswith("http://testserver/api/v1/projects?")
        assert "page=2" in first["next"] and "page_size=40" in first["next"]
        second = client.get(first["next"]).json()
        third = client.get(second["next"]).json()
        assert (len(third["results"]), third["next"]) == (19, None)
        assert "page=2" in third["previous"]
        codes = [row["code"] for page in (first, second, third) for row in page["results"]]
        assert sorted(codes) == sorted(Project.objects.values_list("code", flat=True))

        default = client.get(PROJECTS).json()
        assert len(default["results"]) == 50

    def test_project_rows_carry_the_public_columns_with_amounts_as_strings(self, client):
        row = client.get(PROJECTS, {"year": 2025, "sector": "tourism", "lang": "ar"}).json()["results"][0]
        assert tuple(row) == queries.PROJECT_COLUMNS
        project = Project.objects.select_related("holder", "sector", "commune__province").get(
            code=row["code"]
        )
        assert row["holder"] == project.holder.name
        assert row["sector_label"] == project.sector.name_ar
        assert row["province"] == "KHN"
        assert row["total_cost"] == f"{project.total_cost:.2f}"
        assert row["agreement_signed_on"] == project.agreement_signed_on.isoformat()
        for name in queries.AMOUNT_COLUMNS:
            assert TWO_DECIMALS.match(row[name])

    def test_projects_csv_streams_the_whole_filtered_list(self, client):
        response = client.get(PROJECTS, {"format": "csv", "sector": "tourism"})
        assert response.streaming
        assert response["Content-Disposition"] == 'attachment; filename="indh-projects.csv"'
        rows = csv_rows(response)
        assert len(rows) == 16
        assert list(rows[0]) == list(queries.PROJECT_COLUMNS)
        assert all(TWO_DECIMALS.match(row["total_cost"]) for row in rows)
        expected = Project.objects.filter(sector__code="tourism")
        assert sum(Decimal(row["total_cost"]) for row in rows) == sum(p.total_cost for p in expected)

    def test_projects_xlsx_holds_every_row_with_numeric_amounts(self, client):
        response = client.get(PROJECTS, {"format": "xlsx", "year": 2025})
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        sheet = workbook(response)["projects"]
        rows = sheet_rows(sheet)
        assert len(rows) == 13
        assert sum(Decimal(str(row["total_cost"])) for row in rows) == Decimal("2230000")
        cost_column = queries.PROJECT_COLUMNS.index("total_cost") + 1
        cell = sheet.cell(row=2, column=cost_column)
        assert cell.data_type == "n" and cell.number_format == "#,##0.00"

    def test_arabic_workbook_reads_right_to_left(self, client):
        book = workbook(client.get(PROJECTS, {"format": "xlsx", "year": 2025, "lang": "ar"}))
        assert book["projects"].sheet_view.rightToLeft
        assert sheet_rows(book["projects"])[0]["status_label"] != "In progress"


def test_a_repeated_filter_selects_any_of_its_values(client):
    for code in ("agriculture", "agriculture", "tourism", "food"):
        make_project(sector=Sector.objects.get(code=code))
    both = client.get(SUMMARY + "?sector=agriculture&sector=tourism").json()
    assert both["totals"]["projects"] == 3
    assert both["filters"]["sector"] == ["agriculture", "tourism"]


@pytest.mark.parametrize("endpoint", [SUMMARY, PROJECTS])
@pytest.mark.parametrize(
    "query, parameter",
    [
        ("year=abc", "year"),
        ("year=2025.5", "year"),
        ("year=1900", "year"),
        ("year_from=2024&year_to=2020", "year_to"),
        ("year=2020&year=2021", "year"),
        ("sector=nowhere", "sector"),
        ("sector=agriculture&sector=nowhere", "sector"),
        ("commune=atlantis", "commune"),
        ("province=XYZ", "province"),
        ("programme=P9", "programme"),
        ("holder_type=company", "holder_type"),
        ("status=lost", "status"),
        ("lang=de", "lang"),
        ("format=pdf", "format"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("page_size=501", "page_size"),
        ("page_size=-5", "page_size"),
    ],
)
def test_bad_parameters_answer_400_with_their_errors(client, endpoint, query, parameter):
    make_project()
    response = client.get(f"{endpoint}?{query}")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert parameter in errors
    assert errors[parameter] and all(isinstance(message, str) and message for message in errors[parameter])


def test_all_the_bad_parameters_are_reported_at_once(client):
    errors = client.get(SUMMARY + "?year=abc&sector=nowhere&format=pdf").json()["errors"]
    assert set(errors) == {"year", "sector", "format"}


def test_errors_are_written_in_the_language_asked_for(client):
    errors = client.get(SUMMARY + "?sector=nowhere&lang=fr").json()["errors"]
    with translation.override("fr"):
        expected = forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"] % {
            "value": "nowhere"
        }
    assert errors["sector"] == [str(expected)]


def test_a_page_beyond_the_last_is_an_error(client):
    make_project()
    response = client.get(PROJECTS, {"page": 3})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page"]


def test_unknown_parameter_names_are_ignored(client):
    make_project()
    assert client.get(SUMMARY, {"utm_source": "newsletter"}).status_code == 200


def test_the_api_is_open_to_anyone_and_read_only(client):
    make_project()
    response = client.get(SUMMARY)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.post(SUMMARY).status_code == 405
    assert client.post(PROJECTS).status_code == 405


def test_exports_neutralise_formulas_in_text_cells(client):
    holder = make_holder(name='=HYPERLINK("http://evil.example","click")')
    make_project(holder=holder, title="+cmd|' /C calc'!A0")
    make_project(title="-2+3", holder=make_holder(name="@SUM(A1:A9)"))

    rows = csv_rows(client.get(PROJECTS, {"format": "csv"}))
    assert {row["holder"] for row in rows} >= {'\'=HYPERLINK("http://evil.example","click")', "'@SUM(A1:A9)"}
    assert {row["title"] for row in rows} >= {"'+cmd|' /C calc'!A0", "'-2+3"}

    sheet = workbook(client.get(PROJECTS, {"format": "xlsx"}))["projects"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert {cell.value for cell in cells} >= {'\'=HYPERLINK("http://evil.example","click")', "'-2+3"}

    # JSON is data, not a spreadsheet: names come back as they were written.
    results = client.get(PROJECTS).json()["results"]
    assert '=HYPERLINK("http://evil.example","click")' in {row["holder"] for row in results}


def test_control_characters_in_a_name_do_not_break_the_workbook(client):
    make_project(holder=make_holder(name="Coopérative\x07Atlas\x1bSud"))
    response = client.get(PROJECTS, {"format": "xlsx"})
    assert response.status_code == 200
    names = [row["holder"] for row in sheet_rows(workbook(response)["projects"])]
    # Each control character becomes a space: the visible words stay apart.
    assert names == ["Coopérative Atlas Sud"]
    assert "Coopérative\x07Atlas" in client.get(PROJECTS).json()["results"][0]["holder"]


def test_private_contacts_and_notes_never_leave_through_the_api(client):
    holder = make_holder(
        name="Coopérative Tighza",
        phone=PRIVATE_PHONE,
        email=PRIVATE_EMAIL,
        private_notes=PRIVATE_NOTE,
        registration_number="KHN-SECRET-0042",
    )
    make_project(holder=holder, private_notes=PRIVATE_NOTE)

    bodies = []
    for endpoint in (SUMMARY, PROJECTS):
        for fmt in ("json", "csv"):
            response = client.get(endpoint, {"format": fmt})
            body = b"".join(response.streaming_content) if response.streaming else response.content
            bodies.append(body.decode("utf-8"))
        cells = workbook(client.get(endpoint, {"format": "xlsx"})).worksheets
        bodies.append(
            " ".join(
                str(cell) for sheet in cells for row in sheet.iter_rows(values_only=True) for cell in row
            )
        )
    assert any("Coopérative Tighza" in body for body in bodies)
    for body in bodies:
        for secret in (PRIVATE_PHONE, PRIVATE_EMAIL, PRIVATE_NOTE, "KHN-SECRET-0042"):
            assert secret not in body
