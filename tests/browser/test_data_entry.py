"""Journey 1: an officer enters a holder and a funded project in the Arabic admin."""

from decimal import Decimal

import pytest
from django.utils.text import capfirst
from playwright.sync_api import expect

from cooperatives.models import Commune, Holder, Sector
from funding.models import Partner, Programme, Project
from tests.factories import make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOLDER_NAME = "تعاونية أكلمام للصوف"
CODE = "INDH-KHN-2026-101"


def choose(page, field_id, typed, option):
    """Pick `option` in one of the admin's autocomplete (select2) fields by typing `typed`, as people do."""
    page.locator(f"[aria-labelledby='select2-{field_id}-container']").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-container--open .select2-results__option", has_text=option).first.click()
    expect(page.locator(f"#select2-{field_id}-container")).to_contain_text(option)


def add_inline_row(journey, group, verbose_name):
    text = journey.t("Add another %(verbose_name)s", verbose_name=capfirst(journey.t(verbose_name)))
    # Django's inlines script draws this link with role="button".
    journey.page.locator(f"#{group}-group").get_by_role("button", name=text).click()


def test_officer_enters_a_holder_and_a_funded_project_in_arabic(journey, officer):
    khenifra = Commune.objects.get(code="khenifra")
    handicrafts = Sector.objects.get(code="handicrafts")
    # Two projects already there, so the search and each filter visibly leave something out.
    make_project(code="INDH-KHN-2024-007", year=2024, sector=handicrafts)
    make_project(code="INDH-KHN-2026-050", year=2026, sector=Sector.objects.get(code="agriculture"))

    visit = journey("ar")
    page, t = visit.page, visit.t

    # --- Log in: the admin speaks Arabic, right to left -----------------------------------
    visit.log_in(officer)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#site-name")).to_contain_text(t("INDH Khénifra — data entry"))
    visit.shot("admin index")

    # --- A new holder ------------------------------------------------------------------------
    page.get_by_role("link", name=capfirst(t("holders")), exact=True).first.click()
    page.get_by_role("link", name=t("Add %(name)s", name=t("holder"))).click()
    # The admin's script moves the focus to the first field once the page has loaded: wait for it,
    # or it could take the focus, and the keystrokes, away from a later field.
    expect(page.locator("#id_name")).to_be_focused()
    page.locator("#id_name").fill(HOLDER_NAME)
    page.locator("#id_holder_type").select_option(label=t("Cooperative"))
    page.locator("#id_registration_number").fill("KHN-2026-901")
    choose(page, "id_commune", "خنيفرة", khenifra.name_ar)
    page.locator("#id_main_sector").select_option(label=handicrafts.name_ar)
    visit.shot("holder form")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text(HOLDER_NAME)
    visit.shot("holder saved")
    holder = Holder.objects.get(registration_number="KHN-2026-901")
    assert (holder.name, holder.commune, holder.main_sector) == (HOLDER_NAME, khenifra, handicrafts)

    # --- A project with its funding shares, partner detail and a disbursement ---------------------
    page.get_by_role("link", name=capfirst(t("projects")), exact=True).first.click()
    page.get_by_role("link", name=t("Add %(name)s", name=t("project"))).click()
    expect(page.locator("#id_code")).to_be_focused()
    page.locator("#id_code").fill(CODE)
    page.locator("#id_title").fill("وحدة لتثمين الصوف")
    choose(page, "id_holder", "أكلمام", HOLDER_NAME)
    page.locator("#id_status").select_option(label=t("In progress"))
    page.locator("#id_sector").select_option(label=handicrafts.name_ar)
    choose(page, "id_commune", "خنيفرة", khenifra.name_ar)
    page.locator("#id_programme").select_option(label=Programme.objects.get(code="P3").name_ar)
    page.locator("#id_year").fill("2026")
    page.locator("#id_jobs_created").fill("6")
    page.locator("#id_total_cost").fill("300000.00")
    # A slip of the finger: one zero too many on INDH's share.
    page.locator("#id_indh_contribution").fill("2200000.00")
    page.locator("#id_partner_contribution").fill("50000.00")
    page.locator("#id_holder_contribution").fill("30000.00")
    for row, (code, amount) in enumerate([("provincial-council", "30000.00"), ("odco", "20000.00")]):
        add_inline_row(visit, "partner_lines", "partner contribution")
        partner = Partner.objects.get(code=code)
        choose(page, f"id_partner_lines-{row}-partner", partner.name_ar.split()[0], partner.name_ar)
        page.locator(f"#id_partner_lines-{row}-amount").fill(amount)
    add_inline_row(visit, "disbursements", "disbursement")
    page.locator("#id_disbursements-0-released_on").fill("2026-03-16")
    page.locator("#id_disbursements-0-amount").fill("100000.00")
    page.locator("#id_disbursements-0-reference").fill("OV-2026-17")
    visit.shot("project form")
    page.get_by_role("button", name=t("Save"), exact=True).click()

    # --- Told clearly, in Arabic, that INDH's share exceeds the cost; nothing saved ------------------
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist").first).to_be_visible()
    refusal = visit.said("INDH's contribution cannot exceed the project's total cost.")
    expect(page.get_by_text(refusal)).to_be_visible()
    visit.shot("indh share above cost refused")
    assert not Project.objects.filter(code=CODE).exists()
    # What was typed is still there: only the mistake needs correcting.
    expect(page.locator("#id_partner_lines-1-amount")).to_have_value("20000.00")
    expect(page.locator("#id_disbursements-0-reference")).to_have_value("OV-2026-17")

    expect(page.locator("#id_code")).to_be_focused()
    page.locator("#id_indh_contribution").fill("220000.00")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text(CODE)
    visit.shot("project saved")

    project = Project.objects.get(code=CODE)
    assert (project.holder, project.year, project.status) == (holder, 2026, "in_progress")
    assert project.history.earliest().history_user == officer
    assert (project.total_cost, project.indh_contribution) == (Decimal("300000.00"), Decimal("220000.00"))
    assert {(line.partner.code, line.amount) for line in project.partner_lines.all()} == {
        ("provincial-council", Decimal("30000.00")),
        ("odco", Decimal("20000.00")),
    }
    disbursements = [(d.amount, d.reference) for d in project.disbursements.all()]
    assert disbursements == [(Decimal("100000.00"), "OV-2026-17")]

    # --- Found again by search ------------------------------------------------------------------
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    page.locator("#searchbar").fill("أكلمام للصوف")
    page.locator("#searchbar").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(CODE)
    visit.shot("found by holder name")

    # --- ... and by filters: year, then sector -------------------------------------------------------
    page.locator("#searchbar").fill("")
    page.locator("#searchbar").press("Enter")
    expect(rows).to_have_count(3)
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name="2026", exact=True).click()
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list")).not_to_contain_text("INDH-KHN-2024-007")
    filters.get_by_role("link", name=handicrafts.name_ar, exact=True).first.click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(CODE)
    visit.shot("found by year and sector filters")
