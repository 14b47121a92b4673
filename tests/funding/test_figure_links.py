"""Every figure leads to its projects (issue 17, point 3).

The dashboard's headline figures and each breakdown's rows link to the register (/<lang>/projects/) with
the dashboard's filters plus the row's own, and the register counts there what the figure says; a
holder's page links each of its projects and offers them as CSV and XLSX.
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

from cooperatives.models import HolderType
from funding.models import Project, ProjectStatus
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="([^"]+)" aria-label="([^"]+)">([^<]*)</a>')


def query_of(href):
    """The parameters of an (unescaped) address."""
    return parse_qs(urlsplit(href).query)


def register_count(client, href):
    """The count the register shows at (unescaped) ``href``."""
    response = client.get(href)
    assert response.status_code == 200, href
    return int(re.search(r'<p class="count">\s*(\d+)', response.content.decode()).group(1))


def headline_links(content):
    """{label: (href, accessible name, shown value)} of the headline figures that are links."""
    block = re.search(r'<dl class="figures">(.*?)</dl>', content, re.S).group(1)
    found = {}
    for label, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.S):
        link = LINK.fullmatch(value)
        if link:
            found[html.unescape(label)] = tuple(html.unescape(part) for part in link.groups())
    return found


def section(content, section_id):
    pattern = rf'<section class="breakdown[^"]*" id="{section_id}".*?</section>'
    return re.search(pattern, content, re.S).group(0)


def count_links(fragment):
    """(href, accessible name, count) of the count cells of a breakdown's table."""
    return [
        (html.unescape(href), html.unescape(name), int(count))
        for href, name, count in re.findall(
            r'<td class="num"><a href="([^"]+)" aria-label="([^"]+)">(\d+)</a></td>', fragment
        )
    ]


# A view of the dashboard and the filters it stands for (the measure only changes the bars).
VIEWS = [
    ("", {}),
    ("year_from=2021&measure=projects", {"year_from": ["2021"]}),
    ("sector=agriculture&holder_type=cooperative&holder_type=association", None),
]


@pytest.mark.usefixtures("demo")
class TestTheDashboardLeadsToItsProjects:
    @pytest.mark.parametrize("query, filters", VIEWS)
    def test_each_headline_figure_opens_the_register_of_its_projects(self, client, query, filters):
        filters = filters if filters is not None else parse_qs(query)
        response = client.get(f"/fr/?{query}")
        links = headline_links(response.content.decode())
        summary = client.get(reverse("api:summary") + f"?{query}").json()["totals"]
        assert set(links) == {
            "Projets",
            "Coopératives soutenues",
            "Porteurs",
            "Coût total",
            "Portés par des coopératives\u00a0: coût total",
            "Contribution INDH",
            "Contribution des partenaires",
            "Contribution des porteurs",
            "Emplois créés",
        }
        cooperative_figures = {"Coopératives soutenues", "Portés par des coopératives\u00a0: coût total"}
        for label, (href, name, _shown) in links.items():
            assert urlsplit(href).path == "/fr/projects/"
            if label in cooperative_figures:
                assert query_of(href) == {**filters, "holder_type": ["cooperative"]}
                cooperatives = client.get(
                    reverse("api:summary"), {**filters, "holder_type": "cooperative"}
                ).json()["totals"]["projects"]
                assert register_count(client, href) == cooperatives
                assert f"{cooperatives} projets portés par des coopératives" in name
            else:
                assert query_of(href) == filters
                assert register_count(client, href) == summary["projects"]
        projects_href, projects_name, shown = links["Projets"]
        assert shown == str(summary["projects"]) and projects_name == f"la liste des {shown} projets"
        if not query:
            assert projects_href == "/fr/projects/"

    @pytest.mark.parametrize("query, filters", VIEWS[:2])
    def test_each_breakdown_row_opens_the_register_of_its_projects(self, client, query, filters):
        content = client.get(f"/fr/?{query}").content.decode()
        summary = client.get(reverse("api:summary") + f"?{query}").json()
        own_filter = {
            "by-sector": lambda row: {"sector": [row["code"]]},
            "by-year": lambda row: {"year": [str(row["year"])]},
            "by-commune": lambda row: {"commune": [row["code"]]},
            "by-programme": lambda row: {"programme": [row["code"]]},
            "by-status": lambda row: {"status": [row["code"]]},
        }
        for section_id, row_filter in own_filter.items():
            rows = summary[section_id.replace("-", "_")]
            links = count_links(section(content, section_id))
            assert len(links) == len(rows), section_id
            for (href, name, count), row in zip(links, rows, strict=True):
                expected = {**filters, **row_filter(row)}
                if "year" in expected:
                    expected.pop("year_from", None)
                assert urlsplit(href).path == "/fr/projects/"
                assert query_of(href) == expected, section_id
                assert count == row["projects"]
                assert register_count(client, href) == row["projects"], href
                assert f"{count} projet" in name

    def test_each_sector_of_the_sector_year_table_opens_its_projects(self, client):
        content = client.get("/fr/?year_from=2022").content.decode()
        heat = section(content, "by-sector-year")
        headers = re.findall(r'<th scope="row"><a href="([^"]+)" aria-label="([^"]+)">', heat)
        sectors = client.get(reverse("api:summary"), {"year_from": "2022"}).json()["by_sector"]
        assert len(headers) == len(sectors)
        for (href, name), sector in zip(headers, sectors, strict=True):
            href = html.unescape(href)
            assert query_of(href) == {"year_from": ["2022"], "sector": [sector["code"]]}
            assert register_count(client, href) == sector["projects"]
            assert sector["label"] in html.unescape(name)

    def test_the_bars_still_open_the_dashboard(self, client):
        fragment = section(client.get("/fr/?year=2023").content.decode(), "by-sector")
        bars = re.findall(r'<a href="([^"]*)"><title>', fragment)
        assert bars and all(html.unescape(href).startswith("?") for href in bars)

    def test_in_arabic_the_links_lead_to_the_arabic_register_and_say_what_they_open(self, client):
        content = client.get("/ar/").content.decode()
        href, name, shown = headline_links(content)["المشاريع"]
        assert urlsplit(href).path == "/ar/projects/" and shown == "99"
        assert name == "قائمة المشاريع (99)"
        agriculture = count_links(section(content, "by-sector"))[0]
        assert urlsplit(agriculture[0]).path == "/ar/projects/"
        assert agriculture[1].endswith(f"قائمة المشاريع ({agriculture[2]})")

    def test_the_register_of_a_link_lists_the_same_projects_as_the_api(self, client):
        content = client.get("/fr/?year=2023&sector=agriculture").content.decode()
        href, _name, _shown = headline_links(content)["Projets"]
        page = client.get(href).content.decode()
        listed = set(re.findall(r'<small><bdi dir="ltr">([^<]+)</bdi></small>', page))
        api = client.get(reverse("api:projects"), {"year": "2023", "sector": "agriculture"}).json()
        assert listed == {row["code"] for row in api["results"]}


def test_no_link_when_the_figure_counts_no_project(client):
    make_project(holder=make_holder(holder_type=HolderType.ASSOCIATION))
    links = headline_links(client.get("/en/").content.decode())
    # No cooperative project: "0" leads nowhere; the others lead to the one project.
    assert "Cooperatives supported" not in links and "Projects" in links
    links = headline_links(client.get("/en/?holder_type=association").content.decode())
    assert "Cooperatives supported" not in links


def test_a_holder_filter_on_the_dashboard_shows_the_holders_name(client):
    holder = make_holder(name="Coopérative Tighza")
    make_project(holder=holder)
    make_project()
    response = client.get(f"/fr/?holder={holder.pk}")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Coopérative Tighza" in content
    assert headline_links(content)["Projets"][2] == "1"
    assert client.get("/fr/?holder=abc").status_code == 400
    # A holder without any project is not named: the public pages never show it.
    hidden = make_holder(name="Association sans projet")
    assert "Association sans projet" not in client.get(f"/fr/?holder={hidden.pk}").content.decode()


# --- The holder's page ------------------------------------------------------------------------------


def test_a_holders_page_links_its_projects_and_offers_exactly_them_as_files(client):
    holder = make_holder(name="Coopérative Aït Ishaq")
    kept = [make_project(holder=holder, year=2023), make_project(holder=holder, year=2024)]
    make_project(holder=holder, status=ProjectStatus.CANCELLED)
    make_project()  # another holder's
    with translation.override("fr"):
        url = reverse("cooperatives:holder-detail", args=[holder.pk])
    content = client.get(url).content.decode()

    linked = re.findall(r'<a href="/fr/projects/([^/"]+)/" dir="auto">', content)
    assert sorted(linked) == sorted(project.code for project in kept)

    downloads = re.search(r'<nav class="downloads".*?</nav>', content, re.S).group(0)
    hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', downloads)]
    files = {query_of(href)["format"][0]: href for href in hrefs}
    assert set(files) == {"csv", "xlsx"}
    for href in files.values():
        assert urlsplit(href).path == reverse("api:projects")
        assert query_of(href) | {"format": []} == {
            "holder": [str(holder.pk)],
            "lang": ["fr"],
            "headers": ["labels"],
            "format": [],
        }

    response = client.get(files["csv"])
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][0] == "Code du projet"
    assert sorted(line[0] for line in lines[1:]) == sorted(project.code for project in kept)

    workbook = load_workbook(io.BytesIO(b"".join(client.get(files["xlsx"]).streaming_content)))
    sheet = workbook.worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sheet.cell(1, 1).value == "Code du projet"
    assert sorted(codes) == sorted(project.code for project in kept)
    assert Project.objects.filter(holder=holder).count() == 3
