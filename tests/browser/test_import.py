"""Journey 2: an officer imports the workbook they keep through the French admin, then one with bad rows."""

import re
from pathlib import Path

import pytest
from django.utils.text import capfirst
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from cooperatives.models import Holder
from funding.models import ImportBatch, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "projects-sample.xlsx"


def sample_rows():
    """The sample's header and data rows, as the officer sees them in Excel."""
    rows = list(load_workbook(SAMPLE, read_only=True).worksheets[0].iter_rows(values_only=True))
    return list(rows[0]), [list(row) for row in rows[1:] if any(row)]


def bad_workbook(path, header, rows):
    """A workbook under a title, with one good row, one good update and a bad row per kind of mistake.

    Returns {sheet row number: column header} of the errors the officer must be shown.
    """
    column = {name: header.index(name) for name in header}
    good = list(rows[0])
    good[column["Code projet"]] = "INDH-KHN-2026-201"
    update = list(rows[1])
    update[column["Intitulé du projet"]] = "Titre corrigé qui ne doit pas être enregistré"

    def variant(changes):
        row = list(good)
        row[column["Code projet"]] = f"INDH-KHN-2026-2{len(body) + 1:02d}"
        for name, value in changes.items():
            row[column[name]] = value
        return row

    body = [good]
    expected = {}
    for name, value in [
        ("Contribution INDH (DH)", good[column["Coût global (DH)"]] + 1000),
        ("Secteur", "Aéronautique"),
        ("Commune", "Tombouctou"),  # not in Morocco: Casablanca is a commune of the territory
        ("Année", 1990),
    ]:
        body.append(variant({name: value}))
        expected[len(body)] = name
    body.append(list(good))  # the same project code twice
    expected[len(body)] = "Code projet"
    body.append(update)

    sheet = Workbook().active
    sheet.title = "Projets"
    sheet.append(["Bilan INDH 2026 — province de Khénifra"])
    sheet.append([])
    sheet.append(header)
    for row in body:
        sheet.append(row)
    sheet.parent.save(path)
    first_data_row = 4  # under the title, a blank row and the header
    return {first_data_row + index - 1: name for index, name in expected.items()}


def upload(visit, path):
    page, t = visit.page, visit.t
    page.get_by_role("link", name=t("Import"), exact=True).click()
    page.get_by_label(t("File to import")).set_input_files(path)
    page.get_by_label(t("Format")).select_option(label="xlsx")
    visit.shot(f"upload {path.name}")
    page.get_by_role("button", name=t("Submit")).click()


def table_rows(table):
    """The body rows of a table, as lists of cell texts."""
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))"
    )


def test_officer_imports_the_sample_then_sees_every_error_of_a_bad_workbook(journey, validator, tmp_path):
    header, rows = sample_rows()
    codes = sorted(row[header.index("Code projet")] for row in rows)
    visit = journey("fr")
    page, t = visit.page, visit.t
    # The sample holds completed projects: recording those is a validator's decision (see the roles).
    visit.log_in(validator)
    page.get_by_role("link", name=capfirst(t("projects")), exact=True).first.click()

    # --- Upload and preview: counts, and nothing saved yet -------------------------------------------
    upload(visit, SAMPLE)
    counts = page.get_by_role("table", name=visit.said("What the import will do"))
    expect(counts).to_be_visible()
    assert dict(table_rows(counts)) == {
        visit.said("New"): str(len(rows)),
        visit.said("Updated"): "0",
        visit.said("Unchanged"): "0",
        visit.said("Skipped (totals lines)"): "0",
        visit.said("New holders"): str(len({row[header.index("Porteur du projet")] for row in rows})),
        visit.said("Existing holders named"): "0",
    }
    caption = t("New holders: check that none is an existing holder spelt differently")
    new_holders = page.get_by_role("table", name=caption)
    expect(new_holders).to_contain_text(rows[0][header.index("Porteur du projet")])
    preview = page.get_by_role("table", name=t("First rows"))
    for code in codes[:3]:
        expect(preview).to_contain_text(code)
    visit.shot("preview with counts")
    assert not Project.objects.exists()

    # --- Confirm: the projects are in the list ----------------------------------------------------------
    page.get_by_role("button", name=t("Confirm import")).click()
    # (The admin capitalises the first letter of every message, file names included.)
    expect(page.locator(".messagelist .success")).to_contain_text(re.compile(re.escape(SAMPLE.name), re.I))
    result_rows = page.locator("#result_list tbody tr")
    expect(result_rows).to_have_count(len(rows))
    for code in codes:
        expect(page.locator("#result_list")).to_contain_text(code)
    visit.shot("imported projects in the list")
    assert sorted(Project.objects.values_list("code", flat=True)) == codes
    batch = ImportBatch.objects.get()
    assert (batch.user, batch.created, batch.file_name) == (validator, len(rows), SAMPLE.name)

    # --- A workbook with bad rows: every error with its sheet row; nothing saved ---------------------------
    holders_before = Holder.objects.count()
    titles_before = dict(Project.objects.values_list("code", "title"))
    bad = tmp_path / "bilan-2026-erreurs.xlsx"
    expected_errors = bad_workbook(bad, header, rows)
    upload(visit, bad)
    expect(page.locator(".errornote")).to_contain_text(bad.name)
    errors = table_rows(page.get_by_role("table", name=visit.said("Errors")))
    assert {int(row) for row, *_rest in errors} == set(expected_errors)
    for row, column_name in expected_errors.items():
        assert [str(row), column_name] in [error[:2] for error in errors], (row, column_name, errors)
    expect(page.get_by_role("button", name=t("Confirm import"))).to_have_count(0)
    visit.shot("every error with its row")

    assert dict(Project.objects.values_list("code", "title")) == titles_before
    assert Holder.objects.count() == holders_before
    assert ImportBatch.objects.count() == 1
    page.get_by_role("link", name=capfirst(t("projects")), exact=True).first.click()
    expect(result_rows).to_have_count(len(rows))
    visit.shot("list unchanged")
