"""Journey 3: a citizen explores the public dashboard, in Arabic and then in French."""

import csv
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from cooperatives.models import Commune, Sector
from funding import open_data, queries
from funding.models import Project, ProjectStatus
from indh_site.money import format_mdh, format_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

YEAR = 2025
SECTOR = "handicrafts"


def public_projects(**lookups):
    """What the public sees: the matching projects, cancelled ones left out."""
    return Project.objects.exclude(status=ProjectStatus.CANCELLED).filter(**lookups)


def expected_figures(visit, projects):
    """The headline figures the page must show for `projects`, written as the page writes them."""
    totals = projects.aggregate(count=Count("id"), cost=Sum("total_cost"))
    with translation.override(visit.language):
        return {
            visit.t("Projects"): format_number(totals["count"], 0),
            visit.t("Total cost"): format_mdh(totals["cost"] or Decimal("0")),
        }


def shown_figures(visit):
    """The headline figures as the page shows them: {label: value}."""
    figures = visit.page.get_by_role("region", name=visit.t("Headline figures")).locator("dl")
    return figures.evaluate(
        """dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(
            dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]))"""
    )


def assert_figures(visit, projects):
    expected = expected_figures(visit, projects)
    shown = shown_figures(visit)
    assert {label: shown.get(label) for label in expected} == expected


def assert_direction(visit):
    """The page is laid out in the language's direction: attribute, computed style and where things sit."""
    page = visit.page
    rtl = translation.get_language_info(visit.language)["bidi"]
    expect(page.locator("html")).to_have_attribute("lang", visit.language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if rtl else "ltr")
    layout = page.evaluate(
        """() => {
            const brand = document.querySelector('header a');
            const box = brand.getBoundingClientRect();
            return {direction: getComputedStyle(document.querySelector('main')).direction,
                    brandCentre: box.left + box.width / 2, width: window.innerWidth};
        }"""
    )
    assert layout["direction"] == ("rtl" if rtl else "ltr")
    # The site's name starts the header: on the right in Arabic, on the left in French.
    assert (layout["brandCentre"] > layout["width"] / 2) == rtl, layout


# Every grouped number of the page's main part ("1 176", "1 250 000,50"), with the left edge of each
# of its groups of digits on the screen, and the numbers a plain space splits.
NUMBERS_ON_SCREEN = r"""() => {
    const found = [], split = [];
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    const grouped = /\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:,\d+)?/g;
    for (let node; (node = walker.nextNode()); ) {
        if (/\d \d/.test(node.data)) split.push(node.data.trim());
        for (const match of node.data.matchAll(grouped)) {
            const lefts = [];
            let offset = match.index;
            for (const group of match[0].split(/[\u00a0\u202f ]/)) {
                const range = document.createRange();
                range.setStart(node, offset);
                range.setEnd(node, offset + group.length);
                lefts.push(range.getBoundingClientRect().left);
                offset += group.length + 1;
            }
            found.push({text: match[0], lefts});
        }
    }
    return {found, split};
}"""


def assert_digits_in_order(visit, *, at_least=1):
    """Grouped numbers read left to right in every language, Arabic included (issue 14): each group of
    digits sits right of the one before it, and no plain space splits a number."""
    seen = visit.page.evaluate(NUMBERS_ON_SCREEN)
    assert seen["split"] == [], seen["split"]
    assert len(seen["found"]) >= at_least, seen
    for number in seen["found"]:
        assert "\u00a0" in number["text"] or "\u202f" in number["text"], number
        assert number["lefts"] == sorted(number["lefts"]), number


def explore(visit):
    """One citizen's tour of the public site, in the journey's current language."""
    page, t = visit.page, visit.t
    sector = Sector.objects.get(code=SECTOR)
    with translation.override(visit.language):
        sector_label = sector.label

    # --- The dashboard, all projects ------------------------------------------------------------
    page.get_by_role("navigation", name=t("Site")).get_by_role("link", name=t("Dashboard")).click()
    assert_direction(visit)
    expect(page.get_by_role("heading", level=1)).to_have_text(visit.said("Where INDH's money went"))
    assert_figures(visit, public_projects())
    assert_digits_in_order(visit)  # the jobs created, 1 176, at least
    visit.shot("dashboard")
    visit.assert_fits_narrow_screen("dashboard")
    everything = shown_figures(visit)

    # --- Filter by year and sector: the figures change --------------------------------------------
    page.get_by_text(t("Filter the projects")).click()
    page.get_by_label(t("Year"), exact=True).fill(str(YEAR))
    page.get_by_label(sector_label, exact=True).check()
    visit.shot("filters chosen")
    page.get_by_role("button", name=t("Show"), exact=True).click()
    query = parse_qs(urlsplit(page.url).query)
    assert query["year"] == [str(YEAR)] and query["sector"] == [SECTOR], page.url
    filtered = public_projects(year=YEAR, sector=sector)
    assert_figures(visit, filtered)
    assert shown_figures(visit) != everything
    visit.shot("filtered by year and sector")
    visit.assert_fits_narrow_screen("filtered")

    # --- Follow the bar of the commune with the most of those projects ----------------------------------
    top = filtered.values("commune").annotate(n=Count("id")).order_by("-n", "commune__code").first()
    commune = Commune.objects.get(pk=top["commune"])
    with translation.override(visit.language):
        commune_label = commune.label
    chart = page.get_by_role("region", name=t("By commune"))
    chart.locator("svg a", has_text=commune_label).click()
    query = parse_qs(urlsplit(page.url).query)
    assert (query["year"], query["sector"], query["commune"]) == ([str(YEAR)], [SECTOR], [commune.code])
    in_commune = filtered.filter(commune=commune)
    assert_figures(visit, in_commune)
    visit.shot(f"followed the bar of {commune.code}")

    # --- Download the CSV of that view and read it ------------------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_role("link", name=t("Projects (CSV)")).click()
    download = download_info.value
    with open(download.path(), encoding="utf-8-sig", newline="") as csv_file:
        lines = list(csv.reader(csv_file))
    # The file offered on the page names its columns in the reader's language (headers=labels).
    with translation.override(visit.language):
        assert lines[0] == open_data.column_labels(queries.PROJECT_COLUMNS)
    rows = [dict(zip(queries.PROJECT_COLUMNS, line, strict=True)) for line in lines[1:]]
    assert sorted(row["code"] for row in rows) == sorted(in_commune.values_list("code", flat=True))
    assert {row["sector_label"] for row in rows} == {sector_label}
    assert {row["commune_label"] for row in rows} == {commune_label}
    assert sum(Decimal(row["total_cost"]) for row in rows) == in_commune.aggregate(s=Sum("total_cost"))["s"]

    # --- The figure leads to its projects, each project to its page --------------------------------------
    count = in_commune.count()
    with translation.override(visit.language):
        name = ngettext("the %(count)s project", "the %(count)s projects", count) % {
            "count": format_number(count, 0)
        }
    page.get_by_role("region", name=t("Headline figures")).get_by_role("link", name=name, exact=True).click()
    assert urlsplit(page.url).path == f"/{visit.language}/projects/"
    assert_direction(visit)
    expect(page.locator("table.register tbody tr")).to_have_count(count)
    visit.shot("the projects behind the figure")
    first = in_commune.order_by("-year", "code").first()
    page.get_by_role("link", name=first.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    visit.shot("a project's page")

    # --- The holder directory, then one holder's page -----------------------------------------------------
    holder = in_commune.order_by("code").first().holder
    page.get_by_role("navigation", name=t("Site")).get_by_role("link", name=t("Holders")).click()
    assert_direction(visit)
    visit.assert_fits_narrow_screen("holders")
    page.get_by_text(t("Search and filter")).click()
    page.get_by_role("searchbox").fill(holder.name)
    page.get_by_role("button", name=t("Search"), exact=True).click()
    visit.shot("holder found in the directory")
    page.get_by_role("link", name=holder.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(holder.name)
    for project in holder.projects.all():
        expect(page.get_by_role("main")).to_contain_text(project.code)
    content = page.content()
    assert holder.phone and holder.email, "the demo holders have private contacts, to check they stay private"
    assert holder.phone not in content and holder.email not in content, "private contact on a public page"
    assert_direction(visit)
    visit.shot("holder page")
    visit.assert_fits_narrow_screen("holder page")


def test_citizen_explores_the_dashboard_in_arabic_then_french(journey):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    visit = journey("ar")
    visit.goto("/")
    explore(visit)

    # The review, in Arabic: its sentences and tables keep every number's digits in order.
    visit.goto(reverse("review") + "?lang=ar")
    expect(visit.page.locator(".review-text")).to_contain_text("1\u00a0176")
    assert_digits_in_order(visit, at_least=2)
    visit.shot("review in arabic")
    visit.page.go_back()  # to the holder page the language switcher is tried on

    # The language switcher keeps the citizen on the page they were on.
    holder_url = visit.page.url
    french = translation.get_language_info("fr")["name_local"]
    visit.page.get_by_role("navigation", name=visit.t("Language")).get_by_role("link", name=french).click()
    visit.language = "fr"
    assert visit.page.url == holder_url.replace("/ar/", "/fr/", 1)
    expect(visit.page.locator("html")).to_have_attribute("lang", "fr")
    explore(visit)
