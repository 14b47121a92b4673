"""A few-KB workbook whose worksheet reaches far (one cell at XFD1048576, a lying or absent
<dimension>, cells without positions, namespace prefixes…) is refused before python-calamine
builds its grid: it asked for 549 GB and aborted the process. The file gets the usual clear
message, the command exits 1, nothing is saved; and too many unknown columns make one warning."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from funding import services, workbook
from funding.models import ImportBatch, Project
from tests.funding.workbooks import FRENCH_HEADERS, project_row, xlsx

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADERS = FRENCH_HEADERS[:3] + ["Secteur", "Commune", "Année", "Coût global (DH)", "Contribution INDH (DH)"]


def column(number):
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_row(prefix="", positions=True):
    cells = "".join(
        f'<{prefix}c{f" r={chr(34)}{column(i + 1)}1{chr(34)}" if positions else ""} t="inlineStr">'
        f"<{prefix}is><{prefix}t>{name}</{prefix}t></{prefix}is></{prefix}c>"
        for i, name in enumerate(HEADERS)
    )
    return f'<{prefix}row r="1">{cells}</{prefix}row>'


def sheet_xml(rows, *, dimension=None, prefix="", declaration='<?xml version="1.0" encoding="UTF-8"?>'):
    """A worksheet: the header row, then ``rows`` (raw XML), with an optional <dimension>."""
    name = prefix.rstrip(":")
    namespace = f'xmlns:{name}="{MAIN}"' if name else f'xmlns="{MAIN}"'
    dim = f'<{prefix}dimension ref="{dimension}"/>' if dimension else ""
    return (
        f"{declaration}<{prefix}worksheet {namespace}>{dim}<{prefix}sheetData>"
        f"{header_row(prefix)}{rows}</{prefix}sheetData></{prefix}worksheet>"
    )


def workbook_file(sheet, *, encoding="utf-8", target="worksheets/sheet1.xml", decoy=None):
    """A minimal .xlsx holding one worksheet "Projets" with the XML ``sheet``, at ``target``
    (relative to xl/); ``decoy``, when given, is a harmless sheet at xl/worksheets/sheet1.xml."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Projets" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/worksheet" Target="{target}"/></Relationships>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr(f"xl/{target}", sheet.encode(encoding))
        if decoy is not None:
            archive.writestr("xl/worksheets/sheet1.xml", decoy)
    return buffer.getvalue()


DATA_ROW = '<row r="2"><c r="A2" t="inlineStr"><is><t>X-1</t></is></c></row>'
FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'

# Sheets reaching past the limits. Before the extent check, python-calamine aborted the process
# on the first eight (SIGABRT, exit status 134, "memory allocation of 549755813888 bytes failed"),
# checked by hand in a subprocess under `ulimit -v`; of the others, one took 333 MB and 10 s, and
# two only declare or reach a width no table needs.
HOSTILE = {
    "declared and actual": sheet_xml(DATA_ROW + FAR, dimension="A1:XFD1048576"),
    "no dimension": sheet_xml(DATA_ROW + FAR),
    "lying dimension": sheet_xml(DATA_ROW + FAR, dimension="A1:H2"),
    "column GR": sheet_xml(
        DATA_ROW + '<row r="1048576"><c r="GR1048576"><v>1</v></c></row>', dimension="A1:H2"
    ),
    "attributes in another order": sheet_xml(
        DATA_ROW + '<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>'
    ),
    "single quotes": sheet_xml(DATA_ROW + "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),
    "namespace prefix": sheet_xml(
        DATA_ROW.replace("<", "<x:").replace("<x:/", "</x:")
        + '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
        prefix="x:",
    ),
    "cells without a position": sheet_xml(
        DATA_ROW + '<row r="1048576">' + "<c><v>1</v></c>" * 300 + "</row>"
    ),
    "a row of cells without a position, too wide": sheet_xml(
        DATA_ROW + "<row>" + "<c><v>1</v></c>" * 16384 + "</row>"
    ),
    "a sparse grid too large in all": sheet_xml(
        DATA_ROW + '<row r="200000"><c r="AZ200000"><v>1</v></c></row>'
    ),
    "declared only": sheet_xml(DATA_ROW, dimension="A1:XFD1048576"),
}


def hostile(name):
    return workbook_file(HOSTILE[name])


def assert_too_large(error):
    text = " ".join(str(e) for e in error.errors)
    assert "201\u00a0000" in text and "256" in text, text  # the limits, in any language


@pytest.mark.parametrize("name", HOSTILE)
def test_a_sheet_reaching_too_far_is_refused_before_it_is_read(name):
    data = hostile(name)
    assert len(data) < 6000  # a few KB
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.read_table(data, table=workbook.PROJECTS, file_name="x.xlsx")
    assert_too_large(error.value)


def test_the_farthest_cell_is_named():
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.read_table(hostile("no dimension"), table=workbook.PROJECTS)
    assert "XFD1048576" in str(error.value)


def test_a_utf16_sheet_is_scanned_too():
    data = workbook_file(
        sheet_xml(DATA_ROW + FAR, declaration='<?xml version="1.0" encoding="UTF-16"?>'), encoding="utf-16"
    )
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.read_table(data, table=workbook.PROJECTS)
    assert "XFD1048576" in str(error.value)


def test_the_sheet_checked_is_the_one_read_even_under_a_crafted_name():
    # python-calamine joins "xl/" and the target as written; a harmless sheet under the
    # normalised name must not stand in for it.
    data = workbook_file(
        HOSTILE["no dimension"], target="worksheets/../worksheets/sheet1.xml", decoy=sheet_xml(DATA_ROW)
    )
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.read_table(data, table=workbook.PROJECTS)
    assert "XFD1048576" in str(error.value)


def test_a_zipped_file_that_is_not_an_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.read_table(buffer.getvalue(), table=workbook.PROJECTS)
    assert "xlsx" in str(error.value)


def test_a_normal_sheet_and_a_wide_short_one_are_read():
    sheet = workbook.read_table(xlsx([project_row("N-1")]), table=workbook.PROJECTS)
    assert [number for number, _values in sheet.rows] == [2]
    # 40 columns over a few rows: past the fast pass's 32 columns, within every limit.
    headers = [*FRENCH_HEADERS, *(f"Note {i}" for i in range(23))]
    sheet = workbook.read_table(
        xlsx([[*project_row("W-1").values(), *range(23)]], headers), table=workbook.PROJECTS
    )
    assert len(sheet.ignored) == 23


def test_the_command_refuses_it_with_status_1_and_saves_nothing(tmp_path):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(hostile("declared and actual"))
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_projects", str(path), stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "XFD1048576" in err.getvalue()
    assert (Project.objects.count(), ImportBatch.objects.count()) == (0, 0)


def test_the_admin_refuses_it_with_a_message_and_saves_nothing(client, staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:funding_project_import"),
        {"import_file": SimpleUploadedFile("bilan.xlsx", hostile("lying dimension")), "format": "0"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["import_file"])
    assert "trop grande" in errors and "XFD1048576" in errors
    assert "confirm_form" not in response.context
    assert Project.objects.count() == 0


# --- unknown columns: one warning --------------------------------------------------------------


def test_many_unknown_columns_make_one_warning_naming_the_first_ten():
    extra = [f"Colonne libre {i}" for i in range(200)]
    data = xlsx([[*project_row("C-1").values(), *(["x"] * 200)]], [*FRENCH_HEADERS, *extra])
    result = services.import_workbook(file=data, file_name="c.xlsx")
    assert result.ok, result.errors
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "200" in warning
    assert "Colonne libre 9" in warning and "Colonne libre 10" not in warning
    assert warning.endswith("…")


def test_the_admin_preview_and_confirmation_say_it_once(client, staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_user)
    extra = [f"Libre {i}" for i in range(150)]
    data = xlsx([[*project_row("C-2").values(), *(["x"] * 150)]], [*FRENCH_HEADERS, *extra])
    preview = client.post(
        reverse("admin:funding_project_import"),
        {"import_file": SimpleUploadedFile("c.xlsx", data), "format": "0"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert len(preview.context["result"].outcome.warnings) == 1
    content = preview.content.decode()
    assert content.count("Libre 1\u2069") == 1 and "Libre 10\u2069" not in content
    assert "تم تجاهل أعمدة" in content
    done = client.post(
        reverse("admin:funding_project_process_import"),
        preview.context["confirm_form"].initial,
        follow=True,
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    messages = [str(message) for message in done.context["messages"]]
    assert len(messages) == 2  # the counts, then the one warning
    assert Project.objects.filter(code="C-2").exists()
