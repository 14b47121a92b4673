"""A refused file is explained wholly in the official's language: the row and column words of a
whole-file error, and the CSV module's own English ("field larger than field limit"), are
translated; in Arabic the column name is isolated (U+2068…U+2069) so it keeps its order."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from funding import workbook
from funding.models import Project
from tests.funding.test_hostile_workbooks import hostile
from tests.funding.workbooks import FRENCH_HEADERS, project_row, xlsx

pytestmark = pytest.mark.django_db

WITHOUT_COMMUNE = [header for header in FRENCH_HEADERS if header != "Commune"]
ENGLISH_FRAGMENTS = ("row ", "column ", "field larger", "field limit")


@pytest.fixture
def official(client, staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_user)
    return staff_user


def upload(client, data, name, language, fmt="0"):
    response = client.post(
        reverse("admin:funding_project_import"),
        {"import_file": SimpleUploadedFile(name, data), "format": fmt},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    return " ".join(response.context["form"].errors["import_file"])


def missing_commune():
    row = project_row("L-1")
    return xlsx([[row[header] for header in WITHOUT_COMMUNE]], WITHOUT_COMMUNE)


def too_long_csv():
    header = ";".join(FRENCH_HEADERS)
    return f"{header}\nL-2;{'x' * 200_000}\n".encode()


def test_a_missing_column_is_explained_in_arabic(client, official):
    text = upload(client, missing_commune(), "bilan.xlsx", "ar")
    assert "السطر 1، العمود «\u2068Commune\u2069»: العمود الإلزامي" in text
    assert not any(fragment in text for fragment in ENGLISH_FRAGMENTS), text
    assert Project.objects.count() == 0


def test_a_missing_column_is_explained_in_french(client, official):
    text = upload(client, missing_commune(), "bilan.xlsx", "fr")
    assert "ligne 1, colonne « Commune » : La colonne obligatoire « Commune »" in text
    assert not any(fragment in text for fragment in ENGLISH_FRAGMENTS), text


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ar", "يزيد عدد حروفها على 131\u00a0072"), ("fr", "une cellule de plus de 131\u00a0072 caractères")],
)
def test_a_csv_cell_over_the_field_limit_gets_a_translated_message(client, official, language, expected):
    text = upload(client, too_long_csv(), "bilan.csv", language, fmt="1")
    assert expected in text, text
    assert not any(fragment in text for fragment in ENGLISH_FRAGMENTS), text
    assert Project.objects.count() == 0


def test_the_too_large_worksheet_message_in_arabic_isolates_the_latin_names():
    with translation.override("ar"), pytest.raises(workbook.WorkbookError) as error:
        workbook.read_table(hostile("no dimension"), table=workbook.PROJECTS)
    text = str(error.value)
    assert "الورقة «\u2068Projets\u2069» أكبر من أن تُستورد" in text
    assert "\u2068XFD1048576\u2069" in text and "201\u00a0000 سطر" in text


def test_the_command_speaks_the_site_language(tmp_path, settings):
    path = tmp_path / "bilan.xlsx"
    path.write_bytes(missing_commune())
    for language, expected, nothing in (
        ("fr", "ligne 1, colonne « Commune » : La colonne obligatoire", "Rien n’a été enregistré."),
        ("ar", "السطر 1، العمود «\u2068Commune\u2069»: العمود الإلزامي", "لم يُحفظ أي شيء."),
    ):
        err = io.StringIO()
        with translation.override(language), pytest.raises(SystemExit) as exit_:
            call_command("import_projects", str(path), stdout=io.StringIO(), stderr=err)
        assert exit_.value.code == 1
        assert err.getvalue().splitlines() == [err.getvalue().splitlines()[0], nothing]
        assert err.getvalue().startswith(expected), err.getvalue()
        assert not any(fragment in err.getvalue() for fragment in ENGLISH_FRAGMENTS)
