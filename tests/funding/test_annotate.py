"""A refused workbook comes back annotated: its bad cells coloured and commented, a first sheet
listing the errors with a link to each cell, the official's own sheets and formatting kept (issue 18)."""

import io
import time

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl.styles import Font, PatternFill

from cooperatives.models import Province, ProvinceAssignment
from funding import annotate, services
from funding.models import ImportBatch, Project
from funding.workbook import PROJECTS
from tests.funding.workbooks import FRENCH_HEADERS, project_row

pytestmark = pytest.mark.django_db

SHEET = "Bilan 2024"
CODES = [f"INDH-KHN-2024-{number:03d}" for number in range(1, 11)]
# Row 1 a title, row 2 blank, row 3 the headers: data row i is sheet row 4 + i.
PLANTED = {
    0: ("Secteur", "Pêche au thon"),
    1: ("Commune", "Atlantis"),
    2: ("Année", "deux mille"),
    3: ("Coût global (DH)", "abc"),
    4: ("Contribution INDH (DH)", 900000),
    5: ("Statut", "Peut-être"),
    6: ("Date de signature de la convention", "31/02/2024"),
    7: ("Emplois créés", -3),
    8: ("Code projet", CODES[0]),  # the code of row 4 again
}
# Where each planted error is: the column letter of its header, on its sheet row.
PLANTED_CELLS = {
    f"{openpyxl.utils.get_column_letter(FRENCH_HEADERS.index(header) + 1)}{4 + index}"
    for index, (header, _value) in PLANTED.items()
}
TITLE_FILL = PatternFill(fill_type="solid", start_color="FF1F4E78", end_color="FF1F4E78")


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def planted_workbook():
    """Ten rows under a title, nine of them with one wrong cell each, a TOTAL line, and formatting."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    book.create_sheet("Notes")["A1"] = "Feuille de l'agent"
    sheet.append(["Bilan INDH 2024 — Khénifra"])
    sheet.merge_cells("A1:E1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].fill = TITLE_FILL
    sheet.append([])
    sheet.append(FRENCH_HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for index, code in enumerate(CODES):
        row = project_row(code)
        if index in PLANTED:
            header, value = PLANTED[index]
            row[header] = value
        sheet.append([row[header] for header in FRENCH_HEADERS])
    sheet.append(["TOTAL", *[None] * 8, 2000000, 1200000, 500000, 300000])
    for row in range(4, 15):
        sheet.cell(row=row, column=10).number_format = "#,##0.00"
    sheet.column_dimensions["B"].width = 42
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def annotated(data, file_name="bilan.xlsx", **kwargs):
    result = services.import_workbook(file=data, file_name=file_name, **kwargs)
    assert not result.ok
    output = annotate.annotate_workbook(
        source=data,
        file_name=file_name,
        errors=result.errors,
        table=PROJECTS,
        sheet_name=result.sheet_name,
        header_row=result.header_row,
        unlisted=result.unlisted_errors,
    )
    return result, openpyxl.load_workbook(io.BytesIO(output))


def marked_cells(sheet):
    """{coordinate: comment text} of the cells the annotation coloured."""
    marked = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.fill.fgColor.rgb == annotate.WARNING_FILL.fgColor.rgb:
                marked[cell.coordinate] = cell.comment.text if cell.comment else None
    return marked


def listed(book):
    """(row, column, value, message, link location) of each error on the first sheet."""
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    # The headings are the first row with five cells (Row, Column, Value, What is expected, Cell).
    start = next(index for index, row in enumerate(rows) if len(row) >= 5 and row[4].value) + 1
    return [
        (
            row[0].value,
            row[1].value,
            row[2].value,
            row[3].value,
            row[4].hyperlink.location if row[4].hyperlink else None,
        )
        for row in rows[start:]
    ]


def follow(book, location):
    """The cell an internal link "'Sheet'!C12" leads to."""
    name, coordinate = location.rsplit("!", 1)
    return book[name.strip("'").replace("''", "'")][coordinate]


def test_the_nine_bad_cells_come_back_marked_on_their_rows():
    data = planted_workbook()
    result, book = annotated(data)
    assert result.error_count == 9
    assert book.sheetnames == ["Erreurs", SHEET, "Notes"]
    assert book.active.title == "Erreurs"
    marked = marked_cells(book[SHEET])
    assert set(marked) == PLANTED_CELLS
    for error in result.errors:
        cell = f"{openpyxl.utils.get_column_letter(FRENCH_HEADERS.index(error.column) + 1)}{error.row}"
        assert error.message in marked[cell]
    # Nothing else is coloured or commented, in any sheet.
    assert marked_cells(book["Notes"]) == {}
    assert not [
        cell
        for row in book[SHEET].iter_rows()
        for cell in row
        if cell.comment and cell.coordinate not in marked
    ]


def test_the_first_sheet_lists_the_errors_with_links_to_their_cells():
    data = planted_workbook()
    result, book = annotated(data)
    rows = listed(book)
    assert [(row, column) for row, column, *_rest in rows] == [(e.row, e.column) for e in result.errors]
    assert [message for *_start, message, _link in rows] == [e.message for e in result.errors]
    for row, _column, _value, message, location in rows:
        assert location.startswith(f"'{SHEET}'!")
        target = follow(book, location)
        assert target.row == row
        assert message in target.comment.text
    assert "9 erreurs" in book.worksheets[0]["A1"].value


def test_the_officials_sheets_values_and_formatting_are_kept():
    data = planted_workbook()
    original = openpyxl.load_workbook(io.BytesIO(data))
    _result, book = annotated(data)
    for name in ("Notes", SHEET):
        before = [[cell.value for cell in row] for row in original[name].iter_rows()]
        after = [[cell.value for cell in row] for row in book[name].iter_rows()]
        assert after == before
    sheet = book[SHEET]
    assert "A1:E1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 14
    assert sheet["A1"].fill.fgColor.rgb == TITLE_FILL.fgColor.rgb
    assert sheet["C3"].font.bold
    assert sheet["J5"].number_format == "#,##0.00"
    assert sheet.column_dimensions["B"].width == 42
    assert sheet["A14"].value == "TOTAL"


def test_a_csv_file_comes_back_as_an_annotated_workbook():
    lines = [";".join(FRENCH_HEADERS)]
    for index, code in enumerate(CODES[:3]):
        row = project_row(code, **{"Coût global (DH)": "200 000,00"})
        if index == 1:
            row["Commune"] = "Atlantis"
        if index == 2:
            row["Statut"] = "Peut-être"
        lines.append(";".join("" if row[h] is None else str(row[h]) for h in FRENCH_HEADERS))
    data = ("\n".join(lines) + "\n").encode("utf-8-sig")
    result, book = annotated(data, "bilan.csv")
    assert [(e.row, e.column) for e in result.errors] == [(3, "Commune"), (4, "Statut")]
    assert book.sheetnames == ["Erreurs", "Projets"]
    assert set(marked_cells(book["Projets"])) == {"G3", "N4"}
    assert book["Projets"]["A2"].value == CODES[0]
    assert book["Projets"]["J2"].value == "200 000,00"
    assert [follow(book, link).coordinate for *_start, link in listed(book)] == ["G3", "N4"]


def test_the_command_writes_the_annotated_workbook_exits_1_and_saves_nothing(tmp_path):
    source = tmp_path / "bilan.xlsx"
    source.write_bytes(planted_workbook())
    out = tmp_path / "bilan-erreurs.xlsx"
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_projects", str(source), "--annotate", str(out), stderr=io.StringIO())
    assert exit_info.value.code == 1
    assert Project.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    book = openpyxl.load_workbook(out)
    assert set(marked_cells(book[SHEET])) == PLANTED_CELLS


def test_a_file_refused_as_a_whole_comes_back_as_the_list_alone(tmp_path):
    source = tmp_path / "bilan.csv"
    source.write_bytes(b"Code projet;Intitul\x00e;Porteur\n")
    out = tmp_path / "out.xlsx"
    with pytest.raises(SystemExit):
        call_command("import_projects", str(source), "--annotate", str(out), stderr=io.StringIO())
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Erreurs"]
    (row,) = listed(book)
    assert row[0] is None and row[4] is None and "CSV" in row[3]


def test_hostile_values_do_not_break_the_annotated_file():
    hostile = {
        0: ("Secteur", '=HYPERLINK("http://evil.example","x")'),
        1: ("Commune", "<script>alert(1)</script>"),
        2: ("Statut", "حالة غير معروفة"),
        3: ("Programme", "P" + "9" * 5000),
        4: ("Porteur du projet", None),
    }
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Bilan d'Aït Ishaq"  # a quote to escape in the links
    sheet.append(FRENCH_HEADERS)
    for index, code in enumerate(CODES[:5]):
        row = project_row(code)
        header, value = hostile[index]
        row[header] = value
        sheet.append([row[h] for h in FRENCH_HEADERS])
    sheet["F2"].data_type = "s"  # typed as text by the official, not a formula
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("ar"):
        result, book = annotated(buffer.getvalue(), "ملف.xlsx")
        assert book.worksheets[0].title == "الأخطاء"
        assert book.worksheets[0].sheet_view.rightToLeft
    assert result.error_count == 5
    marked = marked_cells(book["Bilan d'Aït Ishaq"])
    assert set(marked) == {"F2", "G3", "N4", "H5", "C6"}
    assert [follow(book, link).coordinate for *_start, link in listed(book)] == ["F2", "G3", "N4", "H5", "C6"]
    assert all(len(text) <= annotate.MAX_COMMENT_CHARACTERS for text in marked.values())
    # No cell of the file became a formula.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
    values = [value for _row, _column, value, _message, _link in listed(book)]
    assert '\'=HYPERLINK("http://evil.example","x")' in values
    assert "<script>alert(1)</script>" in values


def test_a_large_workbook_with_many_errors_is_annotated_in_reasonable_time():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(FRENCH_HEADERS)
    template = project_row("X")
    for number in range(10_000):
        row = dict(template, **{"Code projet": f"INDH-KHN-2024-{number:05d}"})
        if number % 10 == 0:
            row["Commune"] = "Atlantis"
        sheet.append([row[h] for h in FRENCH_HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    result = services.import_workbook(file=data, file_name="big.xlsx", dry_run=True)
    assert result.error_count == 1000
    start = time.perf_counter()
    output = annotate.annotate_workbook(
        source=data,
        file_name="big.xlsx",
        errors=result.errors,
        table=PROJECTS,
        sheet_name=result.sheet_name,
        header_row=result.header_row,
        unlisted=result.unlisted_errors,
    )
    elapsed = time.perf_counter() - start
    assert elapsed < 60, elapsed  # about 6 s on a busy 2-core machine
    annotated_book = openpyxl.load_workbook(io.BytesIO(output), read_only=True)
    assert annotated_book.sheetnames == ["Erreurs", "Sheet"]


# --- the admin ------------------------------------------------------------------------------

IMPORT = "admin:funding_project_import"
ANNOTATED = "admin:funding_project_import_annotated"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def officer(django_user_model, username):
    user = django_user_model.objects.create_user(username, password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["import_project", "view_project"]))
    ProvinceAssignment.objects.create(user=user, province=Province.objects.get(code="KHN"))
    return user


def refused_preview(client):
    upload = SimpleUploadedFile("bilan 2024.xlsx", planted_workbook())
    preview = client.post(reverse(IMPORT), {"import_file": upload, "format": "0"})
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    return preview


def test_the_refused_page_offers_the_annotated_workbook(client, django_user_model):
    client.force_login(officer(django_user_model, "agent"))
    preview = refused_preview(client)
    url = preview.context["annotated_url"]
    assert url.startswith(reverse(ANNOTATED))
    assert url.replace("&", "&amp;") in preview.content.decode()
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bilan 2024-erreurs.xlsx"' in download["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert set(marked_cells(book[SHEET])) == PLANTED_CELLS
    assert len(listed(book)) == 9
    assert Project.objects.count() == 0


def test_another_official_cannot_fetch_the_annotated_workbook(client, django_user_model):
    client.force_login(officer(django_user_model, "agent"))
    url = refused_preview(client).context["annotated_url"]
    client.force_login(officer(django_user_model, "other"))
    assert client.get(url).status_code == 404
    token = url.split("file=", 1)[1]
    assert client.get(f"{reverse(ANNOTATED)}?file={token[:-2]}xx").status_code == 404
    assert client.get(f"{reverse(ANNOTATED)}?file=../../etc/passwd").status_code == 404


def test_the_annotated_workbook_needs_the_import_permission(client, django_user_model):
    client.force_login(officer(django_user_model, "agent"))
    url = refused_preview(client).context["annotated_url"]
    user = django_user_model.objects.get(username="agent")
    user.user_permissions.remove(Permission.objects.get(codename="import_project"))
    assert client.get(url).status_code == 403


def test_the_total_line_of_the_planted_workbook_is_not_checked_when_refused():
    result = services.import_workbook(file=planted_workbook(), file_name="bilan.xlsx", dry_run=True)
    assert result.total_line is None


def test_a_refused_holders_list_comes_back_annotated_too(client, django_user_model):
    user = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["import_holder", "view_holder"]))
    ProvinceAssignment.objects.create(user=user, province=Province.objects.get(code="KHN"))
    client.force_login(user)
    data = "Nom du porteur;Type de porteur;Commune\nCoopérative Amal;Coopérative;Atlantis\n".encode()
    upload = SimpleUploadedFile("porteurs.csv", data)
    preview = client.post(reverse("admin:cooperatives_holder_import"), {"import_file": upload, "format": "1"})
    download = client.get(preview.context["annotated_url"])
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["Erreurs", "Porteurs"]
    assert set(marked_cells(book["Porteurs"])) == {"C2"}


def test_the_corrected_annotated_workbook_imports_with_its_error_list_still_first():
    """The official fixes the marked cells in the annotated copy and imports it as it is."""
    _result, book = annotated(planted_workbook())
    assert book.sheetnames[0] != SHEET  # the error list comes first, the table's sheet after it
    sheet = book[SHEET]
    for index, code in enumerate(CODES):
        if index in PLANTED:
            header, _value = PLANTED[index]
            column = FRENCH_HEADERS.index(header) + 1
            sheet.cell(row=4 + index, column=column).value = project_row(code)[header]
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.import_workbook(file=buffer.getvalue(), file_name="bilan-corrige.xlsx", dry_run=True)
    assert result.ok, result.errors
    assert result.created == len(CODES)
