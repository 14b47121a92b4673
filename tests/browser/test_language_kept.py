"""A French-language phone opens a shared Arabic link: every public page after it stays in Arabic."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from funding.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_arabic(page):
    """The page is Arabic, right to left, and its address says so."""
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert "/ar/" in page.url, page.url


def test_a_french_browser_stays_in_arabic_through_every_public_page(journey):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    visit = journey("fr")  # locale fr-FR, Accept-Language fr-FR,fr
    page = visit.page
    visit.language = "ar"  # what the person reads from the shared link on
    t = visit.t

    # The link shared before the language was in the address: /?lang=ar.
    visit.goto("/?lang=ar")
    in_arabic(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(visit.said("Where INDH's money went"))
    visit.shot("dashboard from a shared link")

    site = page.get_by_role("navigation", name=t("Site"))
    site.get_by_role("link", name=t("Holders")).click()
    in_arabic(page)
    visit.shot("holders")

    project = Project.objects.filter(holder__holder_type="cooperative").order_by("code").first()
    page.get_by_text(t("Search and filter")).click()
    page.get_by_role("searchbox").fill(project.holder.name)
    page.get_by_role("button", name=t("Search"), exact=True).click()
    page.get_by_role("link", name=project.holder.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.holder.name)
    in_arabic(page)
    visit.shot("a holder")

    site.get_by_role("link", name=t("Yearly review")).click()
    in_arabic(page)
    visit.shot("review")

    # A filtered dashboard, then every filter removed: still Arabic.
    with translation.override("ar"):
        dashboard = reverse("funding:dashboard")
    visit.goto(f"{dashboard}?year={project.year}")
    in_arabic(page)
    page.get_by_role("link", name=visit.said("Remove all filters")).first.click()
    in_arabic(page)
    assert page.url == visit.url(dashboard), page.url
    visit.shot("filters removed")

    # The switcher is plain links to this page in the other languages.
    french = translation.get_language_info("fr")["name_local"]
    page.get_by_role("navigation", name=t("Language")).get_by_role("link", name=french).click()
    visit.language = "fr"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.url == visit.url(dashboard.replace("/ar/", "/fr/", 1))
