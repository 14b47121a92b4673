"""Text typed by users or read from workbooks is stored as typed and stays inert wherever it is shown:
admin pages, public pages and their SVG charts, CSV and XLSX files."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook, load_workbook

from cooperatives.models import Holder, Sector
from funding.models import Project
from tests.factories import make_holder, make_project
from tests.funding.workbooks import FRENCH_HEADERS

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("pwned")</script>'
SCRIPT_ESCAPED = "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://evil.example/","Cliquez ici")'
RLO = "Coopérative \u202eelbuod Atlas"  # no closing U+202C: a hostile name leaves it open
SVG_BREAKER = '</text><svg onload="alert(1)">'


@pytest.fixture
def hostile():
    holder = make_holder(name=f"{SCRIPT} Coopérative")
    project = make_project(title=FORMULA, holder=holder)
    rlo_project = make_project(title=f"Projet {SCRIPT}", holder=make_holder(name=RLO))
    sector = Sector.objects.create(
        code="hostile", name_fr=SVG_BREAKER, name_ar=SVG_BREAKER, name_en=SVG_BREAKER
    )
    make_project(title="Projet du secteur hostile", sector=sector)
    return {"holder": holder, "project": project, "rlo_project": rlo_project, "sector": sector}


def test_hostile_text_is_stored_exactly_as_typed(hostile):
    assert Holder.objects.get(pk=hostile["holder"].pk).name == f"{SCRIPT} Coopérative"
    assert Project.objects.get(pk=hostile["project"].pk).title == FORMULA
    assert Holder.objects.get(pk=hostile["rlo_project"].holder_id).name == RLO


def test_hostile_text_typed_in_the_admin_is_kept_as_typed(staff_client):
    from tests.funding.test_admin_entry import project_form

    data = project_form(make_holder(), title=FORMULA, agreement_number=SCRIPT)
    assert staff_client.post(reverse("admin:funding_project_add"), data).status_code == 302
    project = Project.objects.get(code=data["code"])
    assert (project.title, project.agreement_number) == (FORMULA, SCRIPT)


def assert_inert(content, where):
    assert SCRIPT not in content, where
    assert 'onload="alert(1)"' not in content and "<svg onload" not in content, where


def test_admin_pages_show_hostile_text_escaped(staff_client, hostile):
    holder, project = hostile["holder"], hostile["rlo_project"]
    project.title = f"{project.title} (modifié)"
    project.save()
    urls = [
        reverse("admin:funding_project_changelist"),
        reverse("admin:funding_project_change", args=[project.pk]),
        reverse("admin:funding_project_history", args=[project.pk]),
        reverse("admin:cooperatives_holder_changelist"),
        reverse("admin:cooperatives_holder_change", args=[holder.pk]),
        reverse("admin:cooperatives_holder_history", args=[holder.pk]),
        reverse("admin:cooperatives_sector_changelist"),
        reverse("admin:funding_project_data_quality"),
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert_inert(content, url)
        assert SCRIPT_ESCAPED in content or "&lt;/text&gt;&lt;svg" in content, url


def test_the_right_to_left_override_stays_inside_its_own_cell(staff_client, hostile):
    content = staff_client.get(reverse("admin:cooperatives_holder_changelist")).content.decode()
    # The character is kept (it is what was typed), and the table cell that holds the name closes right after
    # it: a bidi override ends with its block, so it cannot reverse the rest of the page.
    assert f">{RLO}</a></th>" in content


def test_autocomplete_sends_hostile_names_as_json_text(staff_client, hostile):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "Coopérative", "app_label": "funding", "model_name": "project", "field_name": "holder"},
    )
    assert response["Content-Type"].startswith("application/json")
    names = [item["text"] for item in response.json()["results"]]
    assert f"{SCRIPT} Coopérative" in names  # select2 shows it as text, not HTML


PUBLIC_PAGES = ["/fr/", "/fr/holders/", "/fr/bilan/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_show_hostile_text_inert(client, hostile, path):
    response = client.get(path)
    if response.status_code == 404:
        pytest.xfail("page not built yet")
    assert response.status_code == 200
    assert_inert(response.content.decode(), path)


def test_a_holders_public_page_shows_its_name_inert(client, hostile):
    try:
        url = reverse("cooperatives:holder-detail", args=[hostile["holder"].pk])
    except NoReverseMatch:
        pytest.xfail("page not built yet")
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert_inert(content, url)
    assert SCRIPT_ESCAPED in content


def test_the_dashboard_chart_labels_are_escaped_in_svg(client, hostile):
    response = client.get("/fr/")
    if response.status_code == 404:
        pytest.xfail("page not built yet")
    content = response.content.decode()
    assert "<svg" in content
    assert_inert(content, "/fr/")
    assert "&lt;/text&gt;&lt;svg onload=&quot;alert(1)&quot;&gt;" in content


def csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_open_data_csv_keeps_formulas_as_text(client, hostile):
    response = client.get("/api/v1/projects", {"format": "csv"})
    if response.status_code == 404:
        pytest.xfail("page not built yet")
    rows = csv_rows(response)
    cells = [cell for row in rows[1:] for cell in row]
    assert f"'{FORMULA}" in cells
    assert FORMULA not in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]
    assert RLO in cells  # stored as typed, exported as typed
    assert f"Projet {SCRIPT}" in cells  # text files carry text; nothing in a CSV runs


def test_open_data_xlsx_keeps_formulas_as_text(client, hostile):
    response = client.get("/api/v1/projects", {"format": "xlsx"})
    if response.status_code == 404:
        pytest.xfail("page not built yet")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert f"'{FORMULA}" in [cell.value for cell in cells]


def test_the_workbook_export_keeps_formulas_as_text_and_names_as_typed(hostile):
    from funding.services import export_projects

    queryset = Project.objects.filter(pk__in=[hostile["project"].pk, hostile["rlo_project"].pk])
    workbook = load_workbook(io.BytesIO(export_projects(queryset=queryset, fmt="xlsx")))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells]
    assert f"'{FORMULA}" in values and RLO in values and f"Projet {SCRIPT}" in values

    rows = list(csv.reader(io.StringIO(export_projects(queryset=queryset, fmt="csv").decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert f"'{FORMULA}" in cells and FORMULA not in cells and RLO in cells


HEADERS = FRENCH_HEADERS[:14]  # up to Statut: the optional columns stay out


def test_hostile_text_from_a_workbook_is_stored_as_typed(tmp_path: Path):
    from django.core.management import call_command

    try:
        from funding.management.commands import import_projects  # noqa: F401
    except ImportError:
        pytest.xfail("page not built yet: the import command")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    row = ["HOST-001", FORMULA, RLO, "Coopérative", None, "Agriculture", "Khénifra", "P3", 2024]
    sheet.append([*row, 100000, 50000, 30000, 20000, "Programmé"])
    row = ["HOST-002", SCRIPT, f"{SCRIPT} Coop", "Association", None, "Artisanat", "Khénifra", "P3", 2024]
    sheet.append([*row, 100000, 50000, 30000, 20000, "Programmé"])
    # openpyxl would store "=HYPERLINK(…)" as a formula: an official typing it in Excel gets text only when
    # the cell is text, which is what a hostile workbook does.
    sheet["B2"].data_type = "s"
    path = tmp_path / "hostile.xlsx"
    workbook.save(path)
    call_command("import_projects", str(path), stdout=io.StringIO())
    assert Project.objects.get(code="HOST-001").title == FORMULA
    assert Project.objects.get(code="HOST-001").holder.name == RLO
    assert Project.objects.get(code="HOST-002").title == SCRIPT


def test_a_right_to_left_override_in_a_name_cannot_reorder_the_admins_sentences(staff_client, hostile):
    holder = hostile["rlo_project"].holder
    url = reverse("admin:cooperatives_holder_change", args=[holder.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"name": RLO, "members_total": "", "members_women": "", "members_under_35": ""})
    response = staff_client.post(url, data, follow=True)
    content = response.content.decode()
    # The success message holds the name in a link of its own, and the admin's stylesheet isolates
    # such links: the override stays inside the name.
    message = re.search(r'<ul class="messagelist">(.*?)</ul>', content, re.S).group(1)
    assert re.search(rf"<a [^>]*>{re.escape(RLO)}</a>", message), message
    assert "/static/css/admin.css" in content
    stylesheet = (Path(settings.BASE_DIR) / "static" / "css" / "admin.css").read_text()
    assert re.search(r"\.messagelist a,.*?\{\s*unicode-bidi: isolate;", stylesheet, re.S)
