"""A citizen finds a commune on the dashboard's map and follows it, in Arabic then in French (issue 16)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def follow_the_map(visit):
    with translation.override(visit.language):
        visit.goto(reverse("funding:dashboard"))
    section = visit.page.locator("section.territory-map")
    expect(section.get_by_role("heading", level=2)).to_contain_text(
        visit.said("The communes of %(province)s", province="").strip()
    )
    shapes = section.locator("svg.map a[data-commune]")
    expect(shapes).to_have_count(22)
    # Every shape is drawn: it has a size on the screen.
    box = section.locator('svg.map a[data-commune="mrirt"] path').bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10
    expect(section.locator(".map-legend li").last).to_have_text(visit.said("No projects"))
    section.scroll_into_view_if_needed()
    visit.shot("map")
    visit.assert_fits_narrow_screen("map")

    section.locator('svg.map a[data-commune="mrirt"]').click()
    address = urlsplit(visit.page.url)
    assert parse_qs(address.query)["commune"] == ["mrirt"] and address.path == f"/{visit.language}/"
    chips = visit.page.locator(".active-filters")
    expect(chips).to_be_visible()
    visit.shot("commune chosen on the map")


def test_citizen_follows_a_commune_from_the_map_in_arabic_then_french(journey):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for language in ("ar", "fr"):
        follow_the_map(journey(language))
