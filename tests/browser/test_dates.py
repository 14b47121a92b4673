"""The admin's calendar writes dates day first, as officials type them, in every language."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_calendar_shortcuts_write_the_date_day_first(journey, officer, language):
    visit = journey(language)
    page = visit.page
    visit.log_in(officer)
    visit.goto("/admin/funding/project/add/")
    field = page.locator("#id_agreement_signed_on")
    expect(field).to_have_attribute("placeholder", visit.t("dd/mm/yyyy"))
    shortcuts = page.locator("#id_agreement_signed_on ~ .datetimeshortcuts")
    shortcuts.get_by_role("link", name=visit.t("Today"), exact=True).click()
    expect(field).to_have_value(timezone.localdate().strftime("%d/%m/%Y"))
    # The calendar: the 15th of the month it opens on.
    shortcuts.locator("a").last.click()
    page.locator(".calendarbox:visible").get_by_role("link", name="15", exact=True).click()
    expect(field).to_have_value(timezone.localdate().replace(day=15).strftime("%d/%m/%Y"))
    visit.shot("date picked in the calendar")
