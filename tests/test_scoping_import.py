"""Imports and exports respect the official's provinces: a row of another province is an error, an export
holds only the official's rows."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from funding.models import ImportBatch, Project
from tests.access import ANALYST, DATA_ENTRY_OFFICER, khenifra, make_staff, midelt, two_provinces
from tests.funding.workbooks import FRENCH_HEADERS

pytestmark = pytest.mark.django_db

HEADERS = FRENCH_HEADERS[:14]  # up to Statut: the optional columns stay out


def workbook(*rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "Projets"
    sheet.append(HEADERS)
    for code, commune, status in rows:
        sheet.append(
            [code, f"Projet {code}", f"Coopérative {code}", "Coopérative", None, "Agriculture", commune, "P3",
             2024, 100000, 60000, 20000, 20000, status]
        )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(user, *rows):
    from funding.services import import_workbook

    return import_workbook(file=workbook(*rows), file_name="bilan.xlsx", user=user, dry_run=False)


def test_a_row_for_another_province_is_an_error_and_nothing_is_saved():
    midelt()
    officer = make_staff("officer-khenifra", khenifra())
    before = Project.objects.count()
    result = run_import(officer, ("IMP-001", "Khénifra", "Programmé"), ("IMP-002", "Midelt", "Programmé"))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "Commune")]
    assert Project.objects.count() == before
    assert not ImportBatch.objects.exists()


def test_the_officer_of_that_province_imports_the_same_row():
    midelt()
    officer = make_staff("officer-midelt", midelt())
    result = run_import(officer, ("IMP-002", "Midelt", "Programmé"))
    assert result.ok, [str(e) for e in result.errors]
    project = Project.objects.get(code="IMP-002")
    assert project.commune.province == midelt()
    batch = ImportBatch.objects.get()
    assert batch.user == officer
    # The import's history rows point at its batch and carry its author.
    record = project.history.get()
    assert (record.import_batch, record.history_user) == (batch, officer)


def test_another_provinces_project_cannot_be_taken_over_by_import():
    world = two_provinces()
    code = world["m_project"].code
    result = run_import(world["k_officer"], (code, "Khénifra", "Programmé"))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "Code projet")]
    world["m_project"].refresh_from_db()
    assert world["m_project"].commune.province == midelt()


def test_an_officer_cannot_approve_by_import():
    officer = make_staff("officer-khenifra", khenifra(), role=DATA_ENTRY_OFFICER)
    result = run_import(officer, ("IMP-003", "Khénifra", "Approuvé"))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "Statut")]
    assert not Project.objects.filter(code="IMP-003").exists()


def test_the_command_line_has_no_account_and_no_province_limit():
    midelt()
    result = run_import(None, ("IMP-004", "Midelt", "Approuvé"))
    assert result.ok, [str(e) for e in result.errors]
    assert Project.objects.get(code="IMP-004").history.get().history_user is None


def exported_codes(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("url_name", ["admin:funding_project_export", "admin:cooperatives_holder_export"])
def test_the_admin_export_holds_only_the_officials_rows(client, url_name):
    world = two_provinces()
    client.force_login(make_staff("analyst-khenifra", khenifra(), role=ANALYST))
    # Format 0 is the workbook (.xlsx); even asking for every row gives only Khénifra's.
    response = client.post(reverse(url_name), {"format": "0"})
    assert response.status_code == 200, response.content[:500]
    expected = world["k_project"].code if "project" in url_name else world["k_holder"].name
    assert exported_codes(response) == [expected]


def test_an_export_of_hand_picked_rows_cannot_reach_another_province(client):
    world = two_provinces()
    client.force_login(make_staff("analyst-khenifra", khenifra(), role=ANALYST))
    response = client.post(
        reverse("admin:funding_project_export"),
        {"format": "0", "export_items": [world["k_project"].pk, world["m_project"].pk]},
    )
    assert response.status_code == 200
    assert exported_codes(response) == [world["k_project"].code]


def test_an_officer_without_the_export_right_cannot_export(client):
    two_provinces()
    client.force_login(make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER))
    assert client.post(reverse("admin:funding_project_export"), {"format": "0"}).status_code == 403
