"""The TOTAL line of a workbook is checked against its rows: a warning per column that does not add
up, with both figures; the official decides, the import goes on (issue 18)."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Province, ProvinceAssignment
from funding import services
from funding.models import ImportBatch, Project
from indh_site.money import isolate
from tests.access import khenifra, make_staff
from tests.funding.workbooks import project_row, xlsx

pytestmark = pytest.mark.django_db

COSTS = (450000, 400000, 200000, 180000)  # 1 230 000 in all
AMOUNTS = {
    "Contribution INDH (DH)": 100000,
    "Contribution partenaires (DH)": 50000,
    "Apport du porteur (DH)": 30000,
}


def rows():
    return [
        project_row(f"INDH-KHN-2024-{index:03d}", **{"Coût global (DH)": cost}, **AMOUNTS)
        for index, cost in enumerate(COSTS, start=1)
    ]


def workbook_with_total(total_cost, indh=400000, partners=200000, holder=120000, word="TOTAL"):
    return xlsx(
        rows(), above=[["Bilan INDH 2024"]], below=[[word, *[None] * 8, total_cost, indh, partners, holder]]
    )


def run(data, **kwargs):
    return services.import_workbook(file=data, file_name="bilan.xlsx", **kwargs)


def test_a_total_line_20000_mad_off_is_reported_with_both_figures():
    result = run(workbook_with_total(1250000))
    assert result.ok  # a warning, not an error: the rows are imported
    assert Project.objects.count() == 4
    with translation.override("fr"):
        ((is_warning, message),) = services.total_line_messages(result.total_line)
    assert is_warning
    assert message == (
        f"Ligne TOTAL (ligne 7), colonne « {isolate('Coût global (DH)')} » : "
        "1\u00a0250\u00a0000,00 MAD sur la ligne, 1\u00a0230\u00a0000,00 MAD d’après les lignes "
        "(écart 20\u00a0000,00 MAD)."
    )
    assert " 250 " not in message  # grouped with no-break spaces, never plain ones
    # Kept on the import's record, as data the batch page words in its reader's language.
    batch = ImportBatch.objects.get()
    assert batch.warnings["total_line"]["mismatches"] == [
        {"row": 7, "column": "Coût global (DH)", "on_line": "1250000.00", "from_rows": "1230000.00"}
    ]
    with translation.override("ar"):
        ((_warning, arabic),) = services.total_line_messages(batch.warnings["total_line"])
    assert "1\u00a0250\u00a0000,00 درهم" in arabic and "1\u00a0230\u00a0000,00 درهم" in arabic


def test_a_matching_total_line_says_so_with_the_number_of_columns_checked():
    result = run(workbook_with_total(1230000), dry_run=True)
    assert result.total_line == {"checked": 4, "mismatches": []}
    with translation.override("en"):
        assert services.total_line_messages(result.total_line) == [
            (False, "total line: matches the rows (4 columns checked)")
        ]


def test_without_a_total_line_nothing_is_said():
    result = run(xlsx(rows()))
    assert result.ok and result.total_line is None
    assert services.total_line_messages(result.total_line) == []
    assert ImportBatch.objects.get().warnings == {}


def test_amounts_in_the_french_style_on_the_total_line_are_read():
    data = xlsx(
        [*rows()[:3], project_row("INDH-KHN-2024-004", **{"Coût global (DH)": 180000.5}, **AMOUNTS)],
        below=[["Total", *[None] * 8, "1 230 000,50", "400\u00a0000,00", "200.000,00", "120000"]],
    )
    result = run(data, dry_run=True)
    assert result.ok, result.errors
    assert result.total_line == {"checked": 4, "mismatches": []}


def test_a_grand_total_under_subtotals_sums_every_row_above_it():
    first, second, third, fourth = rows()
    data = xlsx(
        [first, second],
        below=[
            ["Total", *[None] * 8, 850000, 200000, 100000, 60000],
            list(third.values()),
            list(fourth.values()),
            ["Total", *[None] * 8, 380000, 200000, 100000, 60000],
            ["Total général", *[None] * 8, 1230000, 400000, 200000, 120000],
        ],
    )
    result = run(data, dry_run=True)
    assert result.ok, result.errors
    assert result.total_line == {"checked": 12, "mismatches": []}


def test_the_command_prints_the_total_line_after_the_counts(tmp_path):
    path = tmp_path / "bilan.xlsx"
    path.write_bytes(workbook_with_total(1250000))
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_projects", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == "created 4, updated 0, unchanged 0, skipped 1"
    assert lines[1].startswith("holders: ")
    assert lines[2].startswith("warning: Total line (row 7), column")
    assert "1,250,000.00" in lines[2] and "1,230,000.00" in lines[2] and "20,000.00" in lines[2]

    path.write_bytes(workbook_with_total(1230000))
    out = io.StringIO()
    call_command("import_projects", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[2] in (
        "total line: matches the rows (4 columns checked)",
        "ligne TOTAL : conforme aux lignes (4 colonnes vérifiées)",
    )


def test_the_admin_preview_shows_the_total_line(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["import_project", "view_project"]))
    ProvinceAssignment.objects.create(user=user, province=Province.objects.get(code="KHN"))
    client.force_login(user)
    upload = SimpleUploadedFile("bilan.xlsx", workbook_with_total(1250000))
    with translation.override("fr"):
        preview = client.post(reverse("admin:funding_project_import"), {"import_file": upload, "format": "0"})
    assert "confirm_form" in preview.context
    content = preview.content.decode()
    assert 'id="total-line"' in content
    assert "sur la ligne" in content and "d’après les lignes" in content


def test_a_note_in_an_amount_column_of_the_total_line_is_not_compared():
    data = xlsx(rows(), below=[["Total", *[None] * 8, 1230000, "voir annexe", None, "—"]])
    result = run(data, dry_run=True)
    assert result.ok, result.errors
    assert result.total_line == {"checked": 1, "mismatches": []}
    with translation.override("en"):
        assert services.total_line_messages(result.total_line) == [
            (False, "total line: matches the rows (1 column checked)")
        ]


def test_the_import_batch_page_keeps_the_total_line_warning(client):
    officer = make_staff("agent-total", khenifra())
    result = run(workbook_with_total(1250000), user=officer)
    assert result.ok, result.errors
    batch = ImportBatch.objects.get()
    assert batch.warnings["total_line"]["mismatches"]
    client.force_login(officer)
    with translation.override("fr"):
        page = client.get(reverse("admin:funding_importbatch_change", args=[batch.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'id="batch-total-line"' in content
    assert "sur la ligne" in content and "d’après les lignes" in content
