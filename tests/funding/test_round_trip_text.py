"""Export then import gives back every text exactly, whatever it starts with.

An export puts an apostrophe before text a spreadsheet would run as a formula (and before text that
starts with the apostrophe itself, or has spaces around it); the import takes exactly that apostrophe
off again. Tested through the real admin (export, upload, confirm) and the real commands.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cooperatives.models import Holder
from funding.models import Project
from indh_site.exports import cell_text, neutralise_formula, restore_text
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db

NASTY = [
    "'=quoted title",
    "'abc",
    "''",
    "''=x",
    "'",
    "' spaced",
    "=1+1",
    '=HYPERLINK("http://evil","x")',
    "+33 5 35",
    "-5",
    "-",
    "'-",
    "@SUM(A1:A9)",
    "\tindented",
    "\rcarriage",
    "line\rbreak\r\nand\nmore",
    "_x000D_ looks escaped",
    " leading space",
    "trailing space ",
    "\nnew line first",
    "l'atelier",
    "تعاونية 'الأمل'",
]
XLSX, CSV = "0", "1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def nasty_projects():
    for number, text in enumerate(NASTY):
        holder = make_holder(name=text, registration_number=f"'{number}" if number % 2 else f"-{number}")
        make_project(code=f"RT-{number:02d}", title=text, holder=holder)
    return texts()


def texts():
    return sorted(Project.objects.values_list("code", "title", "holder__name", "holder__registration_number"))


def holder_texts():
    return sorted(Holder.objects.values_list("name", "registration_number"))


@pytest.mark.parametrize("text", NASTY)
def test_the_escape_is_undone_exactly(text):
    assert restore_text(neutralise_formula(text)) == text
    assert restore_text(cell_text(text)) == text


@pytest.mark.parametrize("fmt", [XLSX, CSV])
def test_the_admins_export_imports_back_unchanged_then_recreates_every_text(client, nasty_projects, fmt):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("official", "o@example.org", "x"))
    name = "projets.xlsx" if fmt == XLSX else "projets.csv"
    exported = client.post(reverse("admin:funding_project_export"), {"format": fmt})
    assert exported.status_code == 200
    data = exported.content

    def import_in_admin():
        preview = client.post(
            reverse("admin:funding_project_import"),
            {"import_file": SimpleUploadedFile(name, data), "format": fmt},
        )
        assert "confirm_form" in preview.context, preview.context.get("result") and [
            str(error) for error in preview.context["result"].outcome.errors
        ]
        client.post(reverse("admin:funding_project_process_import"), preview.context["confirm_form"].initial)
        return preview.context["result"].outcome

    outcome = import_in_admin()
    assert (outcome.unchanged, outcome.updated, outcome.created) == (len(NASTY), 0, 0)
    assert texts() == nasty_projects

    # Imported into an empty database, the file makes the same projects and holders again.
    Project.objects.all().delete()
    Holder.objects.all().delete()
    outcome = import_in_admin()
    assert outcome.created == len(NASTY)
    assert texts() == nasty_projects


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_export_command_then_the_import_command_recreate_every_text(tmp_path, nasty_projects, suffix):
    path = tmp_path / f"projets.{suffix}"
    call_command("export_projects", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    Project.objects.all().delete()
    Holder.objects.all().delete()
    call_command("import_projects", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert texts() == nasty_projects


@pytest.mark.parametrize("fmt", [XLSX, CSV])
def test_the_holders_list_exports_and_imports_back_every_name(client, fmt):
    from django.contrib.auth.models import User

    for number, text in enumerate(NASTY):
        make_holder(name=text, registration_number=f"RN-{number}")
    before = holder_texts()
    client.force_login(User.objects.create_superuser("official", "o@example.org", "x"))
    data = client.post(reverse("admin:cooperatives_holder_export"), {"format": fmt}).content
    Holder.objects.all().delete()
    preview = client.post(
        reverse("admin:cooperatives_holder_import"),
        {
            "import_file": SimpleUploadedFile("porteurs." + ("xlsx" if fmt == XLSX else "csv"), data),
            "format": fmt,
        },
    )
    assert preview.context["result"].outcome.created == len(NASTY)
    client.post(reverse("admin:cooperatives_holder_process_import"), preview.context["confirm_form"].initial)
    assert holder_texts() == before


def test_amounts_stay_numbers_and_only_text_cells_lose_the_apostrophe(tmp_path):
    make_project(code="-5", title="-5", holder=make_holder(name="-5", registration_number="-5"))
    path = tmp_path / "projets.csv"
    call_command("export_projects", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    line = path.read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    assert line[:3] == ["'-5", "'-5", "'-5"]
    assert line[9] == "100000.00"  # a number cell: no apostrophe to take off
    Project.objects.all().delete()
    Holder.objects.all().delete()
    call_command("import_projects", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.get()
    assert (project.code, project.title, project.holder.name, project.total_cost) == (
        "-5",
        "-5",
        "-5",
        100000,
    )
