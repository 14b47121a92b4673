"""The options of the files (issue 17, point 5): column headers in the reader's language (headers=labels),
semicolons for French-locale spreadsheets (sep=;), a holder's projects (holder=<id>) and the register's
search (q) on /api/v1/projects; the API's default stays its keys and commas.
"""

import csv
import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from funding import api, open_data, queries
from funding.models import Project, ProjectStatus
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects"
SUMMARY = "/api/v1/summary"


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def csv_lines(response, delimiter=","):
    return list(csv.reader(io.StringIO(body(response)), delimiter=delimiter))


def workbook(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def register_codes(client, params):
    """Every project code the register lists for ``params``, page after page."""
    codes, page = [], 1
    while True:
        response = client.get(reverse("funding:project-list"), {**params, "page": page})
        content = response.content.decode()
        codes += re.findall(r'<small><bdi dir="ltr">([^<]+)</bdi></small>', content)
        if 'rel="next"' not in content:
            return codes
        page += 1


# --- Column headers ----------------------------------------------------------------------------------


def test_by_default_the_files_name_their_columns_by_their_keys(client):
    make_project()
    assert csv_lines(client.get(PROJECTS, {"format": "csv", "lang": "ar"}))[0] == list(
        queries.PROJECT_COLUMNS
    )
    assert csv_lines(client.get(SUMMARY, {"format": "csv", "lang": "ar"}))[0] == list(api.SUMMARY_COLUMNS)
    sheet = workbook(client.get(PROJECTS, {"format": "xlsx", "lang": "ar"})).worksheets[0]
    assert sheet.title == "projects" and sheet.cell(1, 1).value == "code"


def test_headers_labels_names_the_columns_in_arabic_with_lang_ar(client):
    make_project()
    header = csv_lines(client.get(PROJECTS, {"format": "csv", "lang": "ar", "headers": "labels"}))[0]
    with translation.override("ar"):
        assert header == open_data.column_labels(queries.PROJECT_COLUMNS)
    assert header[:3] == ["رمز المشروع", "العنوان", "حامل المشروع"]
    assert not any(key in header for key in ("code", "title", "total_cost"))

    summary_header = csv_lines(client.get(SUMMARY, {"format": "csv", "lang": "ar", "headers": "labels"}))[0]
    with translation.override("ar"):
        assert summary_header == open_data.column_labels(api.SUMMARY_COLUMNS, summary=True)
    assert "الكلفة الإجمالية" in summary_header and "total_cost" not in summary_header


def test_headers_labels_names_the_sheets_and_columns_of_the_workbooks(client):
    make_project()
    sheet = workbook(client.get(PROJECTS, {"format": "xlsx", "lang": "ar", "headers": "labels"})).worksheets[
        0
    ]
    assert sheet.cell(1, 1).value == "رمز المشروع"
    assert sheet.sheet_view.rightToLeft
    summary = workbook(client.get(SUMMARY, {"format": "xlsx", "lang": "fr", "headers": "labels"}))
    assert summary.sheetnames[:2] == ["Totaux", "Par secteur"]
    assert [cell.value for cell in summary["Par secteur"][1]][:3] == ["Code", "Nom", "Projets"]


def test_the_data_rows_are_the_same_whatever_the_headers(client):
    make_project()
    make_project(year=2023)
    keys = csv_lines(client.get(PROJECTS, {"format": "csv", "lang": "fr"}))
    labels = csv_lines(client.get(PROJECTS, {"format": "csv", "lang": "fr", "headers": "labels"}))
    assert keys[1:] == labels[1:] and len(keys) == 3


# --- Separator ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [PROJECTS, SUMMARY])
def test_sep_semicolon_gives_semicolons_that_the_csv_module_reads_back(client, address):
    make_project(title="Huile d'olive, miel; et safran")
    make_project(year=2023)
    commas = csv_lines(client.get(address, {"format": "csv"}))
    response = client.get(address + "?format=csv&sep=%3B")
    assert response.status_code == 200
    text = body(response)
    assert text.splitlines()[0] == ";".join(commas[0])
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == commas


def test_sep_and_labels_together_for_a_french_spreadsheet(client):
    make_project(
        total_cost="1234.50", indh_contribution="1234.50", partner_contribution=0, holder_contribution=0
    )
    lines = csv_lines(
        client.get(PROJECTS, {"format": "csv", "sep": ";", "headers": "labels", "lang": "fr"}), delimiter=";"
    )
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Coût total"] == "1234.50"


# --- Bad values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"format": "csv", "sep": "\t"}, "sep"),
        ({"format": "csv", "sep": "|"}, "sep"),
        ({"format": "csv", "sep": ";;"}, "sep"),
        ({"format": "csv", "headers": "names"}, "headers"),
        ({"holder": "abc"}, "holder"),
        ({"holder": "0"}, "holder"),
        ({"holder": "-3"}, "holder"),
        ({"holder": "1.5"}, "holder"),
        ({"holder": "99999999999999999999999"}, "holder"),
        ({"holder": ["1", "2"]}, "holder"),
        ({"sep": [",", ";"]}, "sep"),
    ],
)
@pytest.mark.parametrize("address", [PROJECTS, SUMMARY])
def test_a_bad_separator_headers_or_holder_answers_400_and_says_which(client, address, params, parameter):
    response = client.get(address, {**params, "lang": "fr"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_a_nul_byte_or_an_overlong_search_answers_400(client):
    assert client.get(PROJECTS, {"q": "ab\x00c"}).status_code == 400
    assert client.get(PROJECTS, {"q": "x" * 101}).status_code == 400


# --- Holder ------------------------------------------------------------------------------------------


def test_holder_selects_exactly_its_projects_that_are_not_cancelled(client):
    holder = make_holder()
    kept = {make_project(holder=holder).code, make_project(holder=holder, year=2022).code}
    make_project(holder=holder, status=ProjectStatus.CANCELLED)
    make_project()
    data = client.get(PROJECTS, {"holder": holder.pk}).json()
    assert data["count"] == 2 and {row["code"] for row in data["results"]} == kept
    summary = client.get(SUMMARY, {"holder": holder.pk}).json()
    assert summary["filters"] == {"holder": holder.pk}
    assert summary["totals"]["projects"] == 2 and summary["totals"]["holders"] == 1
    assert summary["totals"]["total_cost"] == "200000.00"
    assert sum(row["projects"] for row in summary["by_year"]) == 2
    cancelled = client.get(PROJECTS, {"holder": holder.pk, "status": "cancelled"}).json()
    assert cancelled["count"] == 1


def test_an_unknown_holder_selects_nothing_without_an_error(client):
    make_project()
    data = client.get(PROJECTS, {"holder": "987654"}).json()
    assert data["count"] == 0 and data["results"] == []


def test_the_holder_filter_gives_the_figures_of_its_projects_on_every_database():
    # On PostgreSQL the aggregate tables know no holder: summary() must sum the projects instead.
    holder = make_holder()
    make_project(
        holder=holder,
        total_cost="300000.00",
        indh_contribution="300000.00",
        partner_contribution=0,
        holder_contribution=0,
    )
    make_project()
    summary = Project.objects.summary({"holder": holder.pk, "year": 2024})
    assert summary["totals"]["projects"] == 1
    assert str(summary["totals"]["total_cost"]) == "300000.00"
    assert [row["projects"] for row in summary["by_sector"]] == [1]


# --- Search ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
class TestTheSearchOfTheApiIsTheRegisters:
    @pytest.mark.parametrize("params", [{"q": "coop"}, {"q": "KHN"}, {"q": "olive", "year_from": "2021"}])
    def test_q_selects_the_projects_the_register_lists(self, client, params):
        listed = register_codes(client, params)
        data = client.get(PROJECTS, {**params, "page_size": 500}).json()
        assert data["count"] == len(listed)
        assert sorted(row["code"] for row in data["results"]) == sorted(listed)
        lines = csv_lines(client.get(PROJECTS, {**params, "format": "csv"}))
        assert sorted(line[0] for line in lines[1:]) == sorted(listed)

    def test_the_count_of_a_search_is_its_own_not_the_summarys(self, client):
        everything = client.get(PROJECTS).json()["count"]
        found = client.get(PROJECTS, {"q": "zzz-nothing-matches"}).json()
        assert everything == 99 and found["count"] == 0 and found["results"] == []

    def test_the_registers_files_hold_its_search_and_name_their_columns(self, client):
        params = {"q": "coop", "sector": "agriculture", "sort": "cost"}
        with translation.override("ar"):
            response = client.get(reverse("funding:project-list"), params)
        downloads = re.search(r'<nav class="downloads".*?</nav>', response.content.decode(), re.S).group(0)
        links = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', downloads)]
        assert {parse_qs(urlsplit(link).query)["format"][0] for link in links} == {"csv", "xlsx"}
        csv_link = next(link for link in links if "format=csv" in link)
        query = parse_qs(urlsplit(csv_link).query)
        assert query == {
            "q": ["coop"],
            "sector": ["agriculture"],
            "format": ["csv"],
            "lang": ["ar"],
            "headers": ["labels"],
        }
        lines = csv_lines(client.get(csv_link))
        assert lines[0][0] == "رمز المشروع"
        with translation.override("ar"):
            listed = register_codes(client, params)
        assert sorted(line[0] for line in lines[1:]) == sorted(listed)


# --- Documentation -----------------------------------------------------------------------------------


def test_the_open_data_page_documents_every_parameter(client):
    content = client.get(reverse("funding:open-data")).content.decode()
    documented = {key.split("</code>")[0] for key in content.split("<code>")[1:]}
    parameters = set(api.ProjectsOptionsForm.base_fields) | set(queries.FILTER_NAMES) | {"lang"}
    assert parameters <= documented
    assert {"holder", "q", "headers", "sep"} <= documented
    assert "sep=%3B" in content and "headers=labels" in content
