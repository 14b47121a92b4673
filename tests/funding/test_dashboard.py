"""The public dashboard at /: figures, filters, charts with their tables, languages, weight."""

import html
import io
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cooperatives.models import Commune, HolderType, Sector
from funding.models import Programme, Project, ProjectStatus
from indh_site.money import format_mdh, format_number
from tests.factories import data_queries, make_holder, make_project, only_the_data_version_read

pytestmark = pytest.mark.django_db

PRIVATE_PHONE = "+212 661 23 45 67"
PRIVATE_EMAIL = "tresoriere.privee@example.ma"
MAX_PAGE_BYTES = 150 * 1024


def figures(response):
    """The headline figures of a dashboard page: {label: value}."""
    content = response.content.decode()
    block = re.search(r'<dl class="figures">(.*?)</dl>', content, re.S)
    assert block, "the page shows no headline figures"
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1), re.S)
    # A figure's value may be a link to its projects: the text is what the reader sees.
    return {html.unescape(label): html.unescape(re.sub(r"<[^>]+>", "", value)) for label, value in pairs}


def cooperatives_cost(client, query):
    """What the API says the projects of ``query`` carried by cooperatives cost (0 when it excludes them)."""
    params = parse_qs(query)
    types = params.pop("holder_type", [HolderType.COOPERATIVE])
    if HolderType.COOPERATIVE not in types:
        return Decimal("0.00")
    pairs = [(name, value) for name, values in params.items() for value in values]
    pairs.append(("holder_type", HolderType.COOPERATIVE))
    url = "/api/v1/summary?" + "&".join(f"{name}={value}" for name, value in pairs)
    return Decimal(client.get(url).json()["totals"]["total_cost"])


def section(response, section_id):
    """The HTML of one breakdown section of the page."""
    content = response.content.decode()
    match = re.search(rf'<section class="breakdown[^"]*" id="{section_id}".*?</section>', content, re.S)
    assert match, f"no section {section_id}"
    return match.group(0)


def bar_links(fragment):
    return [html.unescape(href) for href in re.findall(r'<a href="([^"]*)"><title>', fragment)]


def shown_in(language, **figures_by_label):
    with translation.override(language):
        return {translation.gettext(label): value for label, value in figures_by_label.items()}


@pytest.mark.usefixtures("demo")
class TestOnTheDemoData:
    @pytest.mark.parametrize(
        "language, total_cost",
        [("ar", "89,42 مليون درهم"), ("fr", "89,42 MDH"), ("en", "MAD 89.42 million")],
    )
    def test_the_published_figures_in_each_language(self, client, language, total_cost):
        response = client.get(f"/{language}/")
        assert response.status_code == 200
        with translation.override(language):
            expected = {
                translation.gettext("Projects"): "99",
                translation.gettext("Cooperatives supported"): "71",
                translation.gettext("Total cost"): total_cost,
                translation.pgettext("public figure", "INDH contribution"): format_mdh(Decimal("42210000")),
            }
        shown = figures(response)
        assert {label: shown.get(label) for label in expected} == expected
        sectors = section(response, "by-sector")
        for count in ("39", "44", "16"):
            assert re.search(rf'<td class="num">(<a [^>]+>)?{count}(</a>)?</td>', sectors)

    def test_a_shared_link_keeps_its_language(self, client):
        # An old ?lang= link goes to the page under its language's prefix, whatever the browser says.
        redirect = client.get("/?lang=ar", HTTP_ACCEPT_LANGUAGE="fr")
        assert redirect.status_code == 301 and redirect["Location"] == "/ar/"
        response = client.get(redirect["Location"], HTTP_ACCEPT_LANGUAGE="fr")
        assert '<html lang="ar" dir="rtl">' in response.content.decode()
        assert figures(response)[shown_key("ar", "Total cost")] == "89,42 مليون درهم"

    def test_cooperatives_filter_shows_their_published_cost(self, client):
        shown = figures(client.get("/fr/?holder_type=cooperative"))
        assert shown["Coût total"] == "81,70 MDH"
        assert shown["Projets"] == "71"

    def test_year_2025_shows_the_agreements_of_the_year(self, client):
        shown = figures(client.get("/en/?year=2025"))
        assert (shown["Projects"], shown["Total cost"], shown["INDH contribution"]) == (
            "13",
            "MAD 2.23 million",
            "MAD 2.01 million",
        )

    @pytest.mark.parametrize(
        "query",
        [
            "",
            "year=2025",
            "year_from=2020&year_to=2022&sector=handicrafts",
            "sector=agriculture&sector=tourism&holder_type=association&holder_type=young_entrepreneur",
            "commune=mrirt&commune=el-kbab&programme=P3&status=completed",
            "province=KHN&year_from=2023",
        ],
    )
    def test_every_figure_on_the_page_equals_the_api(self, client, query):
        page = figures(client.get(f"/fr/?{query}"))
        api = client.get(f"/api/v1/summary?{query}").json()["totals"]
        with translation.override("fr"):
            expected = {
                "Projets": format_number(api["projects"], 0),
                "Coopératives soutenues": format_number(api["cooperatives"], 0),
                "Porteurs": format_number(api["holders"], 0),
                "Coût total": format_mdh(Decimal(api["total_cost"])),
                "Portés par des coopératives\u00a0: coût total": format_mdh(cooperatives_cost(client, query)),
                "Contribution INDH": format_mdh(Decimal(api["indh_contribution"])),
                "Contribution des partenaires": format_mdh(Decimal(api["partner_contribution"])),
                "Contribution des porteurs": format_mdh(Decimal(api["holder_contribution"])),
                "Emplois créés": format_number(api["jobs"], 0),
            }
        assert page == expected

    def test_each_bar_links_to_the_dashboard_filtered_on_it(self, client):
        response = client.get("/fr/?year_from=2021&measure=projects")
        links = bar_links(section(response, "by-sector"))
        assert [parse_qs(urlsplit(link).query) for link in links] == [
            {"year_from": ["2021"], "measure": ["projects"], "sector": [code]}
            for code in ("agriculture", "handicrafts", "tourism")
        ]
        year_links = bar_links(section(response, "by-year"))
        assert parse_qs(urlsplit(year_links[0]).query) == {"measure": ["projects"], "year": ["2021"]}

        # Following a bar shows the figures of that bar.
        followed = figures(client.get("/en/" + links[2]))
        tourism = Project.objects.filter(sector__code="tourism", year__gte=2021)
        assert followed["Projects"] == str(tourism.count())

    def test_each_chart_comes_with_the_table_of_its_numbers(self, client):
        response = client.get("/en/")
        for section_id in ("by-sector", "by-year", "by-commune", "by-programme", "by-status"):
            fragment = section(response, section_id)
            bars = re.findall(r'<rect class="bar"', fragment)
            rows = re.findall(r'<tr>\s*<th scope="row">', fragment)
            assert bars and len(bars) == len(rows), section_id
        heat = section(response, "by-sector-year")
        cells = re.findall(r'<td class="num heat-[1-5]">', heat)
        assert len(cells) == len(client.get("/api/v1/summary").json()["by_sector_year"])

    def test_arabic_charts_grow_from_the_right(self, client):
        arabic = client.get("/ar/").content.decode()
        assert '<html lang="ar" dir="rtl">' in arabic
        assert 'direction="rtl"' in arabic
        bars = re.findall(r'<rect class="bar" x="([\d.]+)%" y="\d+" width="([\d.]+)%"', arabic)
        assert bars
        assert all(Decimal(x) + Decimal(width) == 100 for x, width in bars)
        assert '<text class="label" x="100%"' in arabic

        french = client.get("/fr/").content.decode()
        assert '<html lang="fr" dir="ltr">' in french
        assert {
            x
            for x, _width in re.findall(r'<rect class="bar" x="([\d.]+)%" y="\d+" width="([\d.]+)%"', french)
        } == {"0.00"}

    def test_the_page_offers_the_files_of_what_it_shows(self, client):
        response = client.get("/fr/?year=2025&sector=tourism&measure=projects")
        downloads = re.search(r'<nav class="downloads".*?</nav>', response.content.decode(), re.S).group(0)
        links = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', downloads)]
        by_path = {}
        for link in links:
            parts = urlsplit(link)
            query = parse_qs(parts.query)
            fmt = query.pop("format")[0]
            by_path.setdefault(parts.path, set()).add(fmt)
            # Files carry their headers in the reader's language; the JSON keeps its keys.
            if fmt != "json":
                assert query.pop("headers") == ["labels"]
            assert query == {"year": ["2025"], "sector": ["tourism"], "lang": ["fr"]}
        assert by_path == {"/api/v1/projects": {"csv", "xlsx"}, "/api/v1/summary": {"csv", "xlsx", "json"}}

        csv_link = next(link for link in links if "projects" in link and "format=csv" in link)
        body = b"".join(client.get(csv_link).streaming_content).decode("utf-8-sig")
        shown = figures(response)
        assert len(body.strip().splitlines()) - 1 == int(shown["Projets"])

    @pytest.mark.parametrize("language", ["ar", "fr", "en"])
    def test_the_page_weighs_less_than_150_kb_with_its_styles(self, client, language):
        response = client.get(f"/{language}/")
        content = response.content.decode()
        assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', content)
        assets += re.findall(r'<script[^>]* src="([^"]+)"', content)
        assert assets, "the page has its stylesheet"
        weight = len(response.content)
        for url in assets:
            path = finders.find(url.removeprefix(settings.STATIC_URL))
            assert path, f"{url} is not a static file"
            weight += Path(path).stat().st_size
        assert weight <= MAX_PAGE_BYTES, f"{weight} bytes"

    def test_private_contacts_never_reach_the_dashboard(self, client):
        holder = Project.objects.select_related("holder").first().holder
        assert holder.phone and holder.email
        for language in ("ar", "fr", "en"):
            content = client.get(f"/{language}/").content.decode()
            assert holder.phone not in content and holder.email not in content

    def test_the_demo_banner_warns_that_figures_are_illustrative(self, client):
        content = client.get("/en/").content.decode()
        assert 'class="demo-banner"' in content


def shown_key(language, label):
    with translation.override(language):
        return translation.gettext(label)


def test_the_dashboard_needs_no_login(client):
    make_project()
    response = client.get("/fr/")
    assert response.status_code == 200
    assert "/admin/" in response.content.decode()  # the staff's way in, from the public header


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("year=abc", "Year"),
        ("year_from=2024&year_to=2020", "To year"),
        ("sector=nowhere", "Sector"),
        ("commune=atlantis", "Commune"),
        ("province=XYZ", "Province"),
        ("programme=P9", "Programme"),
        ("holder_type=company", "Holder type"),
        ("status=lost", "Status"),
        ("measure=weight", "Bars show"),
        ("lang=de", "Language"),
    ],
)
def test_bad_filters_are_shown_as_form_errors(client, query, parameter):
    make_project()
    response = client.get(f"/en/?{query}")
    assert response.status_code == 400
    content = response.content.decode()
    errors = re.search(r'<div class="form-errors" role="alert".*?</div>', content, re.S)
    assert errors and f"<strong>{parameter}</strong>" in errors.group(0)
    # The bad value is not silently dropped: no figures are shown as if it were not there.
    assert 'class="figures"' not in content


def test_a_bad_value_is_reported_next_to_its_field(client):
    response = client.get("/fr/?sector=agriculture&sector=nowhere&year=2021")
    content = response.content.decode()
    sector_fieldset = re.search(
        r'<fieldset class="choices has-error">\s*<legend>Secteur</legend>.*?</fieldset>', content, re.S
    )
    assert sector_fieldset and "nowhere" in sector_fieldset.group(0)
    # What the person chose stays chosen, so they only correct the mistake.
    assert re.search(r'<input type="checkbox" name="sector" value="agriculture"[^>]* checked>', content)
    assert 'name="year" value="2021"' in content


def test_filters_combine_and_show_as_removable_chips(client):
    agriculture, tourism = Sector.objects.get(code="agriculture"), Sector.objects.get(code="tourism")
    make_project(sector=agriculture, year=2022)
    make_project(sector=tourism, year=2022, holder=make_holder(holder_type=HolderType.ASSOCIATION))
    make_project(sector=tourism, year=2023)
    make_project(sector=tourism, year=2022, status=ProjectStatus.CANCELLED)

    response = client.get("/en/?year=2022&sector=tourism&sector=agriculture&holder_type=cooperative")
    assert figures(response)["Projects"] == "1"
    chips = re.search(r'<section class="active-filters".*?</section>', response.content.decode(), re.S).group(
        0
    )
    removals = [
        parse_qs(urlsplit(html.unescape(href)).query) for href in re.findall(r'<a href="(\?[^"]*)"', chips)
    ]
    assert {"sector": ["tourism", "agriculture"], "holder_type": ["cooperative"]} in removals  # the year
    assert {
        "year": ["2022"],
        "sector": ["agriculture"],
        "holder_type": ["cooperative"],
    } in removals  # tourism


def test_hostile_labels_stay_inert_in_charts_and_tables(client):
    sector = Sector.objects.get(code="food")
    sector.name_en = '<script>alert("x")</script></text><a href="javascript:alert(1)">'
    sector.save()
    make_project(sector=sector)
    content = client.get("/en/").content.decode()
    assert "<script>alert" not in content
    assert 'href="javascript:' not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content


def test_the_dashboard_takes_the_same_number_of_queries_whatever_the_data_size(client):
    query = (
        "/fr/?year_from=2015&sector=agriculture&sector=food&commune=khenifra&commune=mrirt"
        "&province=KHN&programme=P3"
    )

    def spread(count, offset):
        # Most of them match the filters, the others fall in other sectors, communes and programmes.
        sectors = list(Sector.objects.filter(code__in=["agriculture", "food", "tourism"]))
        communes = list(Commune.objects.filter(code__in=["khenifra", "mrirt", "el-kbab"]))
        programmes = list(Programme.objects.filter(code__in=["P3", "P3", "P1"]))
        for n in range(offset, offset + count):
            make_project(
                sector=sectors[n % len(sectors)],
                commune=communes[n % len(communes)],
                programme=programmes[n % len(programmes)],
                year=2015 + n % 11,
            )

    spread(3, 0)
    # Demo banner 1 + validating the four kinds of codes 4 + the form's four lists of choices 4
    # + counting the communes (a long list is cut to the chosen provinces) 1 + the summary: 7 on
    # SQLite (totals, sector, year, sector × year, commune, programme, status), fewer on PostgreSQL
    # (which reads the data version, a sequence, three times) + the total cost of the cooperatives'
    # projects 1 (on PostgreSQL, from the aggregate tables).
    with CaptureQueriesContext(connection) as on_small_data:
        small = client.get(query)
    spread(80, 3)
    cache.clear()
    with CaptureQueriesContext(connection) as on_large_data:
        large = client.get(query)
    # + the time of the last data change (once per data version) + the cooperatives' total cost
    # + the map (the communes' census figures, their outlines): 21.
    assert len(data_queries(on_large_data)) == len(data_queries(on_small_data)) <= 21
    assert figures(large) != figures(small)

    # Once rendered, the page is kept until the data change: no query but the data version.
    with only_the_data_version_read():
        again = client.get(query)
    assert figures(again) == figures(large)


def test_the_language_switcher_comes_back_to_the_same_view(client):
    make_project()
    content = client.get("/en/?year=2024&sector=tourism").content.decode()
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', content, re.S).group(0)
    assert dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', switcher)) == {
        "/ar/?year=2024&amp;sector=tourism": "ar",
        "/fr/?year=2024&amp;sector=tourism": "fr",
        "/en/?year=2024&amp;sector=tourism": "en",
    }
    assert "<form" not in switcher and "csrfmiddlewaretoken" not in content
    arabic = client.get(html.unescape("/ar/?year=2024&amp;sector=tourism"))
    assert '<html lang="ar" dir="rtl">' in arabic.content.decode()


def test_no_demo_banner_on_real_data(client):
    make_project()
    assert 'class="demo-banner"' not in client.get("/fr/").content.decode()


def test_an_empty_selection_says_so(client):
    make_project(year=2024)
    response = client.get("/en/?year=2019")
    assert response.status_code == 200
    assert figures(response)["Projects"] == "0"
    assert "No project matches these filters." in response.content.decode()


def test_many_communes_fold_into_one_bar_and_the_table_keeps_the_sum(client):
    province = Commune.objects.get(code="khenifra").province
    for n in range(30):
        commune = Commune.objects.create(
            code=f"c-{n:02d}", name_fr=f"Commune {n:02d}", name_ar=f"ج {n}", province=province
        )
        make_project(commune=commune, total_cost=Decimal(100000 + n * 1000))
    fragment = section(client.get("/en/"), "by-commune")
    assert len(re.findall(r'<rect class="bar"', fragment)) == 25
    assert "6 other communes" in fragment
    # The six smallest communes cost 100000 + 1000 * (0..5) each.
    assert format_mdh(Decimal(600000 + 15000)) in fragment


def commune_checkboxes(response):
    """(code, ticked) of each commune checkbox of the filter form."""
    return [
        (code, bool(ticked))
        for code, ticked in re.findall(
            r'<input type="checkbox" name="commune" value="([^"]+)"( checked)?>', response.content.decode()
        )
    ]


def test_a_national_commune_list_shows_the_communes_of_the_chosen_province(client):
    make_project()
    call_command(
        "generate_dataset",
        "--projects=1000",
        "--holders=400",
        "--provinces=9",
        "--communes-per-province=20",
        "--allow-real-data",
        stdout=io.StringIO(),
    )
    assert Commune.objects.filter(projects__isnull=False).distinct().count() > 60

    # Some hundred communes with projects: none listed until a province is chosen, and the page says so.
    page = client.get("/en/")
    assert commune_checkboxes(page) == []
    assert "Choose a province to list its communes." in page.content.decode()

    # A province chosen: all its communes, those without projects too.
    in_province = sorted(Commune.objects.filter(province__code="kenitra").values_list("code", flat=True))
    listed = commune_checkboxes(client.get("/fr/?province=kenitra"))
    assert sorted(code for code, _ticked in listed) == in_province

    # A commune chosen in the address (a shared link): its province's communes, that one ticked.
    chosen = in_province[3]
    listed = commune_checkboxes(client.get(f"/fr/?commune={chosen}"))
    assert sorted(code for code, _ticked in listed) == in_province
    assert [code for code, ticked in listed if ticked] == [chosen]


def test_a_provinces_communes_are_all_listed(client):
    make_project()
    listed = commune_checkboxes(client.get("/fr/?commune=khenifra"))
    assert len(listed) == Commune.objects.filter(province__code="KHN").count() == 22
    assert [code for code, ticked in listed if ticked] == ["khenifra"]
