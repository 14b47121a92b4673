"""An import says how many holders it creates and how many existing ones its rows name, and the admin's
preview lists the new ones, so that an existing holder spelt differently is caught before confirming."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cooperatives.models import Commune, Holder
from funding.models import ImportBatch, Project
from tests.access import khenifra, make_staff, midelt, midelt_commune
from tests.factories import make_holder
from tests.funding.workbooks import project_row, xlsx

pytestmark = pytest.mark.django_db

IMPORT = "admin:funding_project_import"
CONFIRM = "admin:funding_project_process_import"
NEW_NAMES = ("Coopérative Tiznit Nouvelle", "Association Aghbalou Neuve")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def existing():
    """Three holders of Khénifra the workbook names (the first by its registration number)."""
    return [
        make_holder(name="Coopérative Amal", registration_number="KHN-0457"),
        make_holder(name="Coopérative Tifaout"),
        make_holder(name="Association Ighrem"),
    ]


def workbook_of_two_new_and_three_existing():
    """Six projects: two name new holders, four name three existing ones (one of them twice)."""
    rows = [
        project_row(
            "HC-1", **{"Porteur du projet": "Coop Amal (nom court)", "N° d'immatriculation": "KHN-0457"}
        ),
        project_row("HC-2", **{"Porteur du projet": "Coopérative Tifaout"}),
        project_row("HC-3", **{"Porteur du projet": "coopérative  tifaout"}),
        project_row("HC-4", **{"Porteur du projet": "Association Ighrem", "Type de porteur": "Association"}),
        project_row("HC-5", **{"Porteur du projet": NEW_NAMES[0], "N° d'immatriculation": "KHN-9001"}),
        project_row("HC-6", **{"Porteur du projet": NEW_NAMES[1], "Type de porteur": "Association"}),
    ]
    return xlsx(rows)


def run_command(tmp_path, *options):
    path = tmp_path / "bilan.xlsx"
    path.write_bytes(workbook_of_two_new_and_three_existing())
    out = io.StringIO()
    call_command("import_projects", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def test_the_dry_run_counts_the_new_and_the_matched_holders_saving_nothing(tmp_path, existing):
    lines = run_command(tmp_path, "--dry-run")
    # The counts line stays as scripts read it; the holders line follows, in English too.
    assert lines[0] == "created 6, updated 0, unchanged 0, skipped 0"
    assert lines[1] == "holders: created 2, matched 3"
    assert Holder.objects.count() == 3
    assert not Project.objects.exists()


def test_the_import_counts_the_holders_and_its_batch_keeps_them(tmp_path, existing):
    lines = run_command(tmp_path)
    assert lines[:2] == ["created 6, updated 0, unchanged 0, skipped 0", "holders: created 2, matched 3"]
    assert set(Holder.objects.values_list("name", flat=True)) == {
        "Coop Amal (nom court)",  # matched by its number, the sheet's spelling wins
        "Coopérative Tifaout",
        "Association Ighrem",
        *NEW_NAMES,
    }
    batch = ImportBatch.objects.get()
    assert (batch.holders_created, batch.holders_matched) == (2, 3)
    # Imported again, every holder is an existing one.
    assert run_command(tmp_path)[1] == "holders: created 0, matched 5"


def upload(client, data):
    return client.post(
        reverse(IMPORT), {"import_file": SimpleUploadedFile("bilan.xlsx", data), "format": "0"}
    )


def new_holders_table(response):
    content = response.content.decode()
    start = content.find('class="import-new-holders"')
    return content[start : content.find("</table>", start)] if start >= 0 else ""


def test_the_admin_preview_lists_the_new_holders_and_the_batch_page_their_counts(client, existing):
    officer = make_staff("officer-khenifra", khenifra())
    client.force_login(officer)
    preview = upload(client, workbook_of_two_new_and_three_existing())
    assert preview.status_code == 200
    outcome = preview.context["result"].outcome
    assert (outcome.holders_created, outcome.holders_matched) == (2, 3)
    table = new_holders_table(preview)
    for name in NEW_NAMES:
        assert name in table
    assert "KHN-9001" in table and "Khénifra" in table and "Association" in table
    for holder in existing:
        assert holder.name not in table
    assert Holder.objects.count() == 3  # nothing until confirmed

    done = client.post(
        reverse(CONFIRM), preview.context["confirm_form"].initial, follow=True, HTTP_ACCEPT_LANGUAGE="fr"
    )
    messages = [str(message) for message in done.context["messages"]]
    assert messages[0].endswith(" Porteurs : 2 nouveaux, 3 existants."), messages
    batch = ImportBatch.objects.get()
    page = client.get(reverse("admin:funding_importbatch_change", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    counts = {str(label): value for label, value in page.context["batch_counts"]}
    assert (counts["holders created"], counts["holders matched"]) == (2, 3)
    # Another official reads the counts of their own provinces only: the holder counts are the file's.
    client.force_login(make_staff("colleague", khenifra()))
    page = client.get(reverse("admin:funding_importbatch_change", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    counts = {str(label): value for label, value in page.context["batch_counts"]}
    assert (counts["created"], counts["holders created"], counts["holders matched"]) == (6, None, None)


def test_the_preview_is_in_the_officials_language(client, existing):
    client.force_login(make_staff("officer-khenifra", khenifra()))
    preview = client.post(
        reverse(IMPORT),
        {
            "import_file": SimpleUploadedFile("bilan.xlsx", workbook_of_two_new_and_three_existing()),
            "format": "0",
        },
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    content = preview.content.decode()
    assert "حاملو مشاريع جدد" in content
    assert NEW_NAMES[0] in new_holders_table(preview)


def test_an_officer_of_another_province_sees_no_holder_of_the_file(client, existing):
    """Rows of Khénifra uploaded by an officer of Midelt are refused: no name of Khénifra is shown."""
    midelt()
    client.force_login(make_staff("officer-midelt", midelt()))
    preview = upload(client, workbook_of_two_new_and_three_existing())
    assert "confirm_form" not in preview.context
    content = preview.content.decode()
    assert 'class="import-new-holders"' not in content
    for name in (*NEW_NAMES, *(holder.name for holder in existing)):
        assert name not in content


def test_the_preview_of_an_officer_of_two_provinces_lists_new_holders_of_both_only_once_each(client):
    midelt_commune()
    officer = make_staff("officer-both", khenifra(), midelt())
    client.force_login(officer)
    rows = [
        project_row("HB-1", **{"Porteur du projet": "Coopérative Midelt Neuve", "Commune": "Midelt"}),
        project_row("HB-2", **{"Porteur du projet": "Coopérative Midelt Neuve", "Commune": "Midelt"}),
        project_row("HB-3", **{"Porteur du projet": "Coopérative Khénifra Neuve"}),
    ]
    preview = upload(client, xlsx(rows))
    outcome = preview.context["result"].outcome
    assert (outcome.holders_created, outcome.holders_matched) == (2, 0)
    assert [(row, name, commune) for row, name, _type, commune, _number in outcome.new_holders] == [
        (2, "Coopérative Midelt Neuve", Commune.objects.get(code="midelt").label),
        (4, "Coopérative Khénifra Neuve", Commune.objects.get(code="khenifra").label),
    ]
