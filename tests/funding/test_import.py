"""Importing the projects workbook: every row or none, exactly, with every error listed."""

import datetime
import gc
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import translation

from cooperatives.models import Commune, Holder
from funding import services
from funding.models import Disbursement, ImportBatch, PartnerContribution, Programme, Project
from tests.factories import make_holder, make_project
from tests.funding.workbooks import FRENCH_HEADERS, SAMPLE_AR, SAMPLE_FR, project_row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def french():
    """Reference labels in messages are in the admin's default language."""
    with translation.override("fr"):
        yield


def run(data, file_name="bilan.xlsx", **kwargs):
    return services.import_workbook(file=data, file_name=file_name, **kwargs)


def sample_column_sum(path, header):
    """A column's total computed from the sample with openpyxl, independently of the import."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    index = rows[0].index(header)
    return sum(Decimal(str(row[index])) for row in rows[1:])


def errors_of(result):
    return [(error.row, error.column, error.value) for error in result.errors]


# --- the samples --------------------------------------------------------------------------


def test_french_sample_imports_with_exact_totals():
    result = run(SAMPLE_FR, "projects-sample.xlsx")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged, result.skipped) == (12, 0, 0, 0)
    totals = Project.objects.aggregate(
        cost=Sum("total_cost"), indh=Sum("indh_contribution"), partners=Sum("partner_contribution")
    )
    assert totals["cost"] == sample_column_sum(SAMPLE_FR, "Coût global (DH)")
    assert totals["indh"] == sample_column_sum(SAMPLE_FR, "Contribution INDH (DH)")
    assert totals["partners"] == sample_column_sum(SAMPLE_FR, "Contribution partenaires (DH)")
    project = Project.objects.get(code="INDH-KHN-2021-084")
    assert (project.sector.code, project.commune.code, project.programme.code) == (
        "handicrafts",
        "sidi-hcine",
        "P3",
    )
    assert (project.status, project.year, project.jobs_created) == ("completed", 2021, 21)
    assert project.agreement_signed_on == datetime.date(2021, 12, 28)
    assert project.holder.registration_number == "05483"
    assert project.holder.holder_type == "cooperative"
    assert project.holder.members_total == 42


def test_arabic_sample_imports_the_same_projects():
    result = run(SAMPLE_AR, "projects-sample-ar.xlsx")
    assert result.ok, result.errors
    assert result.created == 12
    project = Project.objects.get(code="INDH-KHN-2021-068")
    assert (project.sector.code, project.commune.code, project.status) == (
        "handicrafts",
        "moha-ou-hammou-zayani",
        "completed",
    )
    assert project.holder.holder_type == "association"


def test_a_numeric_registration_cell_is_kept_as_text():
    run(SAMPLE_FR)
    assert Holder.objects.filter(registration_number="80261").exists()


def test_importing_the_same_file_again_changes_nothing():
    run(SAMPLE_FR)
    before = list(Project.objects.order_by("code").values_list("code", "updated_at"))
    history = Project.history.count()
    again = run(SAMPLE_FR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    assert list(Project.objects.order_by("code").values_list("code", "updated_at")) == before
    assert Project.history.count() == history


def test_the_arabic_sample_after_the_french_one_reports_every_row_unchanged():
    run(SAMPLE_FR)
    result = run(SAMPLE_AR)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 12)
    assert Holder.objects.count() == 12


# --- workbooks written the way the spec allows -----------------------------------------------


def test_a_workbook_in_every_allowed_form_imports_with_exact_totals():
    arabic_headers = [
        "رمـز المشروع",
        "عنوان المشروع",
        "حامل المشروع",
        "نوع الحامل",
        "رقم التسجيل",
        "القطاع",
        "الجماعة",
        "البرنامج",
        "السنة",
        "الكلفة الإجمالية (درهم)",
        "مساهمة المبادرة",
        "مساهمة الشركاء (درهم)",
        "مساهمة حامل المشروع",
        "الوضعية",
        "تاريخ توقيع الاتفاقية",
        "مناصب الشغل المحدثة",
        "عدد المنخرطين",
    ]
    rows = [
        project_row(
            "A-1",
            **{
                "Coût global (DH)": "1 250 000,50",
                "Contribution INDH (DH)": "1.000.000,25",
                "Contribution partenaires (DH)": "200 000",
                "Apport du porteur (DH)": "50000,25",
                "Secteur": "الفلاحة",
                "Commune": "مريرت",
                "Programme": "البرنامج الثالث",
                "Statut": "في طور الإنجاز",
                "Type de porteur": "تعاونية",
            },
        ),
        project_row(
            "A-2",
            **{
                "Coût global (DH)": "١٬٢٥٠٬٠٠٠٫٥٠",
                "Contribution INDH (DH)": "٨١٠٠٠٠",
                "Contribution partenaires (DH)": None,
                "Apport du porteur (DH)": "٤٠٠٠٠٠٫٥٠",
                "Secteur": "Tourism",
                "Commune": "sidi-hcine",
                "Programme": "Programme 2",
                "Statut": "approved",
                "Porteur du projet": "جمعية الأمل",
                "Type de porteur": "Association",
                "Année": "٢٠٢٣",
                "Date de signature de la convention": "05/06/2023",
            },
        ),
        project_row(
            "A-3",
            **{
                "Coût global (DH)": "81,70",
                "Contribution INDH (DH)": "81.7",
                "Contribution partenaires (DH)": 0,
                "Apport du porteur (DH)": 0,
                "Date de signature de la convention": "2024-01-31",
                "Emplois créés": "٣",
            },
        ),
    ]
    data = xlsx(
        rows,
        arabic_headers,
        sheet="المشاريع",
        above=[["حصيلة المبادرة 2019-2025"], []],
        below=[[], ["المجموع", None, None, None, None, None, None, None, None, "2 500 082,70"]],
    )
    result = run(data)
    assert result.ok, result.errors
    assert (result.created, result.skipped) == (3, 1)
    totals = Project.objects.aggregate(cost=Sum("total_cost"), indh=Sum("indh_contribution"))
    assert totals["cost"] == Decimal("2500082.70")
    assert totals["indh"] == Decimal("1810081.95")
    second = Project.objects.get(code="A-2")
    assert (second.commune.code, second.programme.code, second.status, second.year) == (
        "sidi-hcine",
        "P2",
        "approved",
        2023,
    )
    assert second.holder_contribution == Decimal("400000.50")
    assert second.agreement_signed_on == datetime.date(2023, 6, 5)
    assert second.holder.holder_type == "association"
    assert Project.objects.get(code="A-1").programme.code == "P3"
    assert Project.objects.get(code="A-3").jobs_created == 3


def test_blank_optional_cells_take_the_spec_defaults():
    row = project_row(
        "D-1",
        **{
            "Type de porteur": None,
            "Programme": None,
            "Statut": None,
            "Contribution partenaires (DH)": None,
            "Apport du porteur (DH)": None,
            "Emplois créés": None,
            "Date de signature de la convention": None,
            "Nombre d'adhérents": None,
        },
    )
    result = run(xlsx([row]))
    assert result.ok, result.errors
    project = Project.objects.get(code="D-1")
    assert (project.programme.code, project.status, project.holder.holder_type) == (
        "P3",
        "programmed",
        "cooperative",
    )
    assert (project.partner_contribution, project.holder_contribution, project.jobs_created) == (0, 0, 0)
    assert project.agreement_signed_on is None
    assert project.holder.members_total is None


def test_optional_columns_may_be_left_out_of_the_file():
    headers = FRENCH_HEADERS[:3] + [
        "Secteur",
        "Commune",
        "Année",
        "Coût global (DH)",
        "Contribution INDH (DH)",
    ]
    result = run(xlsx([["C-1", "Gîte", "Coop Atlas", "Tourisme", "El Kbab", 2022, 90000, 45000]], headers))
    assert result.ok, result.errors
    project = Project.objects.get(code="C-1")
    assert (project.status, project.programme.code, project.partner_contribution) == ("programmed", "P3", 0)


# --- errors ------------------------------------------------------------------------------------


def test_several_bad_rows_are_all_reported_and_nothing_is_saved():
    rows = [
        project_row("OK-1"),
        project_row("BAD-1", **{"Secteur": "Agricultur", "Coût global (DH)": "1,250,000.50"}),
        project_row("OK-2"),
        project_row("BAD-2", **{"Commune": "Tombouctou", "Année": 2004}),
        project_row("BAD-3", **{"Intitulé du projet": None, "Statut": "Fini"}),
    ]
    result = run(xlsx(rows, above=[["Bilan 2024"]]))
    assert not result.ok
    assert errors_of(result) == [
        (4, "Secteur", "Agricultur"),
        (4, "Coût global (DH)", "1,250,000.50"),
        (6, "Commune", "Tombouctou"),
        (6, "Année", "2004"),
        (7, "Intitulé du projet", ""),
        (7, "Statut", "Fini"),
    ]
    assert (Project.objects.count(), Holder.objects.count(), ImportBatch.objects.count()) == (0, 0, 0)
    assert result.batch is None


def test_an_unknown_value_lists_the_accepted_or_closest_values():
    rows = [
        project_row("U-1", **{"Secteur": "Agricultur"}),
        project_row("U-2", **{"Programme": "P9"}),
        project_row("U-3", **{"Statut": "Terminé"}),
        project_row("U-4", **{"Type de porteur": "Société"}),
    ]
    messages = {error.row: error.message for error in run(xlsx(rows)).errors}
    assert "Agriculture" in messages[2]
    assert all(code in messages[3] for code in ("P1", "P2", "P3", "P4"))
    assert all(label in messages[4] for label in ("Programmé", "Achevé", "Annulé"))
    assert "Coopérative" in messages[5] and "Association" in messages[5]


def test_a_duplicate_code_is_an_error_on_its_second_occurrence():
    result = run(xlsx([project_row("DUP"), project_row("OTHER"), project_row("DUP")]))
    assert errors_of(result) == [(4, "Code projet", "DUP")]
    assert "2" in result.errors[0].message
    assert Project.objects.count() == 0


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"Contribution INDH (DH)": 250000}, "Contribution INDH (DH)"),
        ({"Contribution partenaires (DH)": "50 001,01"}, "Coût global (DH)"),  # 1,01 MAD over
        (
            {
                "Coût global (DH)": 0,
                "Contribution INDH (DH)": 0,
                "Contribution partenaires (DH)": 0,
                "Apport du porteur (DH)": 0,
            },
            "Coût global (DH)",
        ),
        ({"Année": datetime.date.today().year + 2}, "Année"),
        ({"Emplois créés": -1}, "Emplois créés"),
        ({"Coût global (DH)": "200000,123"}, "Coût global (DH)"),
        ({"Date de signature de la convention": "2024/31/12"}, "Date de signature de la convention"),
    ],
)
def test_a_row_breaking_a_rule_rejects_the_file(cells, column):
    result = run(xlsx([project_row("R-1", **cells)]))
    assert [error.column for error in result.errors] == [column]
    assert Project.objects.count() == 0


def test_contributions_may_exceed_the_cost_by_one_dirham_and_fall_short_with_a_warning():
    rows = [
        project_row("T-1", **{"Apport du porteur (DH)": 30001}),  # 1 MAD over
        project_row("T-2", **{"Apport du porteur (DH)": 0}),  # a gap
        project_row("T-3", **{"Année": datetime.date.today().year + 1}),
    ]
    result = run(xlsx(rows))
    assert result.ok, result.errors
    assert result.created == 3
    assert any("1" in warning for warning in result.warnings)


def test_a_dry_run_counts_without_saving():
    result = run(SAMPLE_FR, dry_run=True)
    assert (result.ok, result.created) == (True, 12)
    assert (Project.objects.count(), Holder.objects.count(), ImportBatch.objects.count()) == (0, 0, 0)


# --- holders -----------------------------------------------------------------------------------


def test_a_holder_is_matched_by_registration_number_and_takes_the_sheet_name():
    holder = make_holder(
        name="Coop ancienne", registration_number="00457", commune=Commune.objects.get(code="lehri")
    )
    result = run(
        xlsx(
            [
                project_row(
                    "H-1", **{"N° d'immatriculation": "00457", "Porteur du projet": "Coopérative Nouvelle"}
                )
            ]
        )
    )
    assert result.ok, result.errors
    holder.refresh_from_db()
    assert Project.objects.get(code="H-1").holder == holder
    assert holder.name == "Coopérative Nouvelle"
    assert holder.commune.code == "lehri"  # a holder may carry projects in other communes
    assert Holder.objects.count() == 1


def test_a_holder_without_number_is_matched_by_name_and_commune_leniently():
    holder = make_holder(name="Coopérative Tafilalt", commune=Commune.objects.get(code="khenifra"))
    result = run(xlsx([project_row("H-2", **{"Porteur du projet": "COOPERATIVE  TAFILALT"})]))
    assert result.ok, result.errors
    assert Project.objects.get(code="H-2").holder == holder
    assert Holder.objects.count() == 1


def test_a_new_holder_is_created_once_for_all_its_rows():
    rows = [
        project_row(
            f"N-{i}", **{"Porteur du projet": "Jeune Ali", "Type de porteur": "Jeune porteur de projet"}
        )
        for i in range(3)
    ]
    result = run(xlsx(rows))
    assert result.ok, result.errors
    holder = Holder.objects.get()
    assert (holder.name, holder.holder_type, holder.commune.code, holder.main_sector.code) == (
        "Jeune Ali",
        "young_entrepreneur",
        "khenifra",
        "handicrafts",
    )
    assert holder.members_total == 25
    assert holder.projects.count() == 3


def test_rows_that_disagree_about_a_holder_are_errors():
    rows = [
        project_row("M-1", **{"Nombre d'adhérents": 25}),
        project_row("M-2", **{"Nombre d'adhérents": 30}),
    ]
    result = run(xlsx(rows))
    assert errors_of(result) == [(3, "Nombre d'adhérents", "30")]
    assert "2" in result.errors[0].message


def test_two_holders_with_the_same_name_in_a_commune_need_the_registration_number():
    commune = Commune.objects.get(code="khenifra")
    make_holder(name="Coopérative Tafilalt", commune=commune)
    make_holder(name="Coopérative Tafilalt", commune=commune)
    result = run(xlsx([project_row("AMB")]))
    assert errors_of(result) == [(2, "Porteur du projet", "Coopérative Tafilalt")]


def test_members_cannot_fall_below_the_women_members_recorded():
    make_holder(name="Coopérative Tafilalt", members_total=40, members_women=30)
    result = run(xlsx([project_row("W-1", **{"Nombre d'adhérents": 20})]))
    assert errors_of(result) == [(2, "Nombre d'adhérents", "20")]


# --- updates, history, batch --------------------------------------------------------------------


def test_an_import_is_one_batch_whose_rows_have_history(django_user_model):
    user = django_user_model.objects.create_superuser("imp", "imp@example.org", "x")
    result = run(SAMPLE_FR, "bilan-2025.xlsx", user=user)
    batch = ImportBatch.objects.get()
    assert result.batch == batch
    assert (batch.kind, batch.file_name, batch.user, batch.created, batch.updated, batch.unchanged) == (
        "projects",
        "bilan-2025.xlsx",
        user,
        12,
        0,
        0,
    )
    records = Project.history.filter(import_batch=batch)
    assert records.count() == 12
    assert set(records.values_list("history_type", flat=True)) == {"+"}
    assert set(records.values_list("history_user", flat=True)) == {user.pk}
    assert Holder.history.filter(import_batch=batch).count() == 12
    # Each record is the row as saved.
    record = records.get(code="INDH-KHN-2021-084")
    assert record.total_cost == Project.objects.get(code="INDH-KHN-2021-084").total_cost


def test_a_changed_row_updates_its_project_with_a_history_record_of_that_batch():
    run(SAMPLE_FR)
    workbook_ = openpyxl.load_workbook(SAMPLE_FR)
    sheet = workbook_.worksheets[0]
    sheet["J2"] = 2205000  # total cost of INDH-KHN-2021-084
    sheet["N3"] = "En cours"
    buffer = io.BytesIO()
    workbook_.save(buffer)
    result = run(buffer.getvalue(), "bilan-v2.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 2, 10)
    assert Project.objects.get(code="INDH-KHN-2021-084").total_cost == Decimal("2205000.00")
    batch = ImportBatch.objects.get(file_name="bilan-v2.xlsx")
    assert sorted(Project.history.filter(import_batch=batch).values_list("code", "history_type")) == [
        ("INDH-KHN-2021-068", "~"),
        ("INDH-KHN-2021-084", "~"),
    ]


def test_an_import_cannot_lower_indh_below_what_was_disbursed():
    project = make_project(code="DIS-1", indh_contribution=Decimal("120000"), total_cost=Decimal("200000"))
    Disbursement.objects.create(
        project=project, released_on=datetime.date(2024, 5, 1), amount=Decimal("100000")
    )
    result = run(
        xlsx(
            [
                project_row(
                    "DIS-1", **{"Contribution INDH (DH)": 90000, "Porteur du projet": project.holder.name}
                )
            ]
        )
    )
    assert errors_of(result) == [(2, "Contribution INDH (DH)", "90000.00")]
    project.refresh_from_db()
    assert project.indh_contribution == Decimal("120000.00")


def test_an_import_cannot_change_a_partners_share_detailed_by_partner():
    project = make_project(code="PL-1", partner_contribution=Decimal("20000"))
    partner = project.partner_lines.model._meta.get_field("partner").related_model.objects.first()
    PartnerContribution.objects.create(project=project, partner=partner, amount=Decimal("20000"))
    result = run(xlsx([project_row("PL-1", **{"Porteur du projet": project.holder.name})]))
    assert [error.column for error in result.errors] == ["Contribution partenaires (DH)"]


# --- rights ------------------------------------------------------------------------------------


def test_an_account_cannot_import_rows_of_another_province(django_user_model):
    from cooperatives.models import Province, ProvinceAssignment, Region

    other = Province.objects.create(
        code="XX", name_fr="Autre", name_ar="أخرى", region=Region.objects.get(code="BMK")
    )
    user = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    ProvinceAssignment.objects.create(user=user, province=other)
    result = run(xlsx([project_row("S-1")]), user=user)
    assert errors_of(result) == [(2, "Commune", "Khénifra")]
    assert Project.objects.count() == 0


def test_only_a_validator_may_import_a_completed_project(django_user_model):
    from cooperatives.models import Province, ProvinceAssignment

    user = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    ProvinceAssignment.objects.create(user=user, province=Province.objects.get(code="KHN"))
    result = run(
        xlsx([project_row("V-1", **{"Statut": "Achevé"}), project_row("V-2", **{"Statut": "En cours"})]),
        user=user,
    )
    assert errors_of(result) == [(2, "Statut", "Achevé")]


# --- command line ------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_counts(tmp_path):
    out = io.StringIO()
    call_command("import_projects", str(SAMPLE_FR), stdout=out)
    assert out.getvalue().splitlines()[0] == "created 12, updated 0, unchanged 0, skipped 0"
    out = io.StringIO()
    call_command("import_projects", str(SAMPLE_AR), stdout=out)
    assert out.getvalue().splitlines()[0] == "created 0, updated 0, unchanged 12, skipped 0"
    assert ImportBatch.objects.count() == 2


def test_the_command_lists_every_error_and_exits_1_saving_nothing(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx([project_row("B-1", **{"Secteur": "Mines"}), project_row("B-2", **{"Année": "vingt"})])
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_projects", str(path), stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    lines = err.getvalue().splitlines()
    # In the site's language (French), words and all.
    assert lines[0].startswith("ligne 2, colonne « Secteur » : ")
    assert lines[1].startswith("ligne 3, colonne « Année » : ")
    assert Project.objects.count() == 0


def test_the_command_dry_run_saves_nothing():
    out = io.StringIO()
    call_command("import_projects", str(SAMPLE_FR), "--dry-run", stdout=out)
    assert out.getvalue().startswith("created 12, updated 0, unchanged 0, skipped 0")
    assert Project.objects.count() == 0


def test_the_command_records_its_user(django_user_model):
    # The import is made as that account, with its rights (province, validation).
    user = django_user_model.objects.create_superuser("operator", "ops@example.org", "x")
    call_command("import_projects", str(SAMPLE_FR), "--user", "operator", stdout=io.StringIO())
    assert ImportBatch.objects.get().user == user


def test_programme_names_and_numbers_are_understood():
    rows = [
        project_row("P-1", **{"Programme": "Programme 1"}),
        project_row("P-2", **{"Programme": "Accompagnement des personnes en situation de précarité"}),
        project_row("P-3", **{"Programme": "البرنامج الرابع"}),
    ]
    assert run(xlsx(rows)).ok
    assert dict(Project.objects.values_list("code", "programme__code")) == {
        "P-1": "P1",
        "P-2": "P2",
        "P-3": "P4",
    }
    assert Programme.objects.count() == 4  # never created on the fly


def test_the_portable_bulk_writes_give_the_same_result(monkeypatch):
    """Off PostgreSQL (SQLite in development) the import writes with bulk_create/bulk_update."""
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert run(SAMPLE_FR).created == 12
    book = openpyxl.load_workbook(SAMPLE_FR)
    book.worksheets[0]["J2"] = 2205000
    book.worksheets[0]["E3"] = "REG-NEW"  # the holder gets a registration number
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(buffer.getvalue(), "v2.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 2, 10)
    assert Project.objects.get(code="INDH-KHN-2021-084").total_cost == Decimal("2205000.00")
    assert Holder.objects.filter(registration_number="REG-NEW").count() == 1
    assert Project.history.filter(import_batch=result.batch, history_type="~").count() == 1
    assert Holder.history.filter(import_batch=result.batch, history_type="~").count() == 1
    assert Holder.history.filter(history_type="+").count() == 12


def test_a_column_outside_the_format_is_a_warning_not_an_error():
    headers = [*FRENCH_HEADERS, "Observations"]
    result = run(xlsx([[*project_row("OBS").values(), "à revoir"]], headers))
    assert (result.ok, result.created) == (True, 1)
    assert any("Observations" in warning for warning in result.warnings)


def test_an_import_leaves_the_cycle_collector_as_it_found_it():
    """The collector is paused while a file is read and imported, then resumed, whatever happens."""
    assert gc.isenabled()
    assert run(xlsx([project_row("GC-1")])).created == 1
    assert not run(xlsx([project_row("GC-2", **{"Commune": "Atlantis"})])).ok
    assert not run(b"PK\x03\x04 not really a workbook").ok
    assert gc.isenabled()
    gc.disable()
    try:
        run(xlsx([project_row("GC-3")]))
        assert not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()


def test_a_small_file_next_to_a_larger_table_finds_its_projects_by_code():
    """Under half the table's size, the file's codes are looked up rather than the table scanned."""
    for n in range(5):
        make_project(code=f"BIG-{n}")
    result = run(xlsx([project_row("BIG-3"), project_row("SMALL-1")]))
    assert (result.ok, result.created, result.updated) == (True, 1, 1)
    assert Project.objects.get(code="BIG-3").title == "Unité de tissage"
    assert Project.objects.count() == 6
