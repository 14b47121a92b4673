"""A programme may set a maximum INDH share and a maximum INDH amount per project: projects beyond them
are saved, listed on the data-quality page (the official's provinces only) and warned about at import."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from funding import services
from funding.models import ImportBatch, Programme, Project
from tests.access import two_provinces
from tests.factories import make_project
from tests.funding.workbooks import project_row, xlsx

pytestmark = pytest.mark.django_db
QUALITY = "admin:funding_project_data_quality"


def set_rules(code="P3", share=None, amount=None):
    Programme.objects.filter(code=code).update(max_indh_share=share, max_indh_amount=amount)


def programme_form(programme, **values):
    data = {
        "code": programme.code,
        "name_fr": programme.name_fr,
        "name_ar": programme.name_ar,
        "name_en": programme.name_en,
        "ordering": programme.ordering,
        "max_indh_share": "",
        "max_indh_amount": "",
    }
    data.update(values)
    return data


def test_no_programme_has_a_rule_by_default():
    assert not Programme.objects.filter(max_indh_share__isnull=False).exists()
    assert not Programme.objects.filter(max_indh_amount__isnull=False).exists()


def test_the_admin_sets_a_programmes_rules_and_is_refused_a_share_of_120_percent(staff_client):
    programme = Programme.objects.get(code="P3")
    url = reverse("admin:funding_programme_change", args=[programme.pk])
    assert 'name="max_indh_share"' in staff_client.get(url).content.decode()

    saved = staff_client.post(url, programme_form(programme, max_indh_share="70", max_indh_amount="500000"))
    assert saved.status_code == 302
    programme.refresh_from_db()
    assert (programme.max_indh_share, programme.max_indh_amount) == (Decimal("70.00"), Decimal("500000.00"))

    refused = staff_client.post(
        url, programme_form(programme, max_indh_share="120"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert refused.status_code == 200
    assert "La part maximale de l&#x27;INDH est un pourcentage de 0 à 100." in refused.content.decode()
    programme.refresh_from_db()
    assert programme.max_indh_share == Decimal("70.00")


def test_the_database_refuses_a_share_above_100_or_a_negative_amount():
    programme = Programme.objects.get(code="P3")
    programme.max_indh_share = Decimal("120")
    with pytest.raises(ValidationError) as refused:
        programme.full_clean()
    assert "max_indh_share" in refused.value.message_dict
    for values in ({"max_indh_share": Decimal("120")}, {"max_indh_amount": Decimal("-1")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Programme.objects.filter(pk=programme.pk).update(**values)


def quality_rows(response):
    section = next(s for s in response.context["sections"] if s["key"] == "programme-rules")
    return {obj.code: detail for obj, _url, detail in section["rows"]}


def test_the_data_quality_page_lists_the_projects_beyond_the_rules_of_the_officials_provinces(client):
    world = two_provinces()  # a project in Khénifra and in Midelt, both P3, INDH 60 % of 100 000
    at_the_limit = make_project(
        indh_contribution=Decimal("50000.00"), partner_contribution=Decimal("30000.00")
    )
    costless = make_project(
        total_cost=Decimal("0"),
        indh_contribution=Decimal("0"),
        partner_contribution=Decimal("0"),
        holder_contribution=Decimal("0"),
    )
    large = make_project(
        total_cost=Decimal("2000000.00"),
        indh_contribution=Decimal("900000.00"),
        partner_contribution=Decimal("1100000.00"),
        holder_contribution=Decimal("0"),
    )
    other_programme = make_project(programme=Programme.objects.get(code="P1"))
    set_rules("P3", share=Decimal("50"), amount=Decimal("800000"))

    client.force_login(world["k_officer"])
    response = client.get(reverse(QUALITY), HTTP_ACCEPT_LANGUAGE="fr")
    rows = quality_rows(response)
    assert set(rows) == {world["k_project"].code, large.code}
    share = "part de l'INDH : 60,00\u00a0% (au plus 50,00\u00a0%)"
    assert rows[world["k_project"].code] == f"\u2068P3\u2069 : {share}"
    assert rows[large.code].endswith("INDH : 900\u00a0000,00 MAD (au plus 800\u00a0000,00 MAD)")
    content = response.content.decode()
    assert reverse("admin:funding_project_change", args=[large.pk]) in content
    assert world["m_project"].code not in content
    for project in (at_the_limit, costless, other_programme):
        assert project.code not in rows

    client.force_login(world["m_officer"])
    assert set(quality_rows(client.get(reverse(QUALITY)))) == {world["m_project"].code}


def test_without_a_rule_nothing_is_listed(staff_client):
    make_project(indh_contribution=Decimal("100000.00"), partner_contribution=0, holder_contribution=0)
    assert quality_rows(staff_client.get(reverse(QUALITY))) == {}


def beyond_workbook():
    return xlsx(
        [
            project_row("PR-1", **{"Contribution INDH (DH)": 150000, "Contribution partenaires (DH)": 20000}),
            project_row("PR-2"),  # 60 %
            project_row(
                "PR-3",
                **{
                    "Programme": "P1",
                    "Contribution INDH (DH)": 190000,
                    "Contribution partenaires (DH)": 10000,
                    "Apport du porteur (DH)": 0,
                },
            ),
        ]
    )


def test_the_import_warns_about_the_projects_beyond_the_rules_and_saves_them():
    set_rules("P3", share=Decimal("70"))
    preview = services.import_workbook(file=beyond_workbook(), file_name="bilan.xlsx", dry_run=True)
    assert preview.ok and preview.beyond_rules == ["PR-1"]
    assert any("PR-1" in warning and "PR-2" not in warning for warning in preview.warnings)

    result = services.import_workbook(file=beyond_workbook(), file_name="bilan.xlsx")
    assert result.ok, result.errors
    assert Project.objects.filter(code__in=["PR-1", "PR-2", "PR-3"]).count() == 3
    assert ImportBatch.objects.get().beyond_programme_rules == 1


def test_the_command_line_prints_the_warning(tmp_path):
    set_rules("P3", amount=Decimal("100000"))
    path = tmp_path / "bilan.xlsx"
    path.write_bytes(beyond_workbook())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_projects", str(path), stdout=out, stderr=err)
    assert out.getvalue().splitlines()[0] == "created 3, updated 0, unchanged 0, skipped 0"
    # In the site's language (French), the codes isolated.
    assert "2 projets dépassent les règles de leur programme" in err.getvalue()
    assert "\u2068PR-1\u2069, \u2068PR-2\u2069" in err.getvalue()


def test_the_admin_preview_shows_the_warning_and_the_batch_page_the_count(
    client, django_user_model, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    set_rules("P3", share=Decimal("70"))
    client.force_login(django_user_model.objects.create_superuser("official", "o@example.org", "x"))
    preview = client.post(
        reverse("admin:funding_project_import"),
        {"import_file": SimpleUploadedFile("bilan.xlsx", beyond_workbook()), "format": "0"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    content = preview.content.decode()
    assert "مشروع واحد يتجاوز قواعد برنامجه" in content and "PR-1" in content
    client.post(reverse("admin:funding_project_process_import"), preview.context["confirm_form"].initial)
    batch = ImportBatch.objects.get()
    page = client.get(reverse("admin:funding_importbatch_change", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    counts = {str(label): value for label, value in page.context["batch_counts"]}
    assert counts["projects beyond their programme's rules"] == 1
    assert Project.objects.filter(code="PR-1").exists()


def test_the_share_is_compared_exactly_and_shown_rounded_up(staff_client):
    def project(indh):
        return make_project(
            indh_contribution=Decimal(indh),
            partner_contribution=Decimal("0"),
            holder_contribution=Decimal("0"),
        )

    at_the_limit, just_beyond = project("33330.00"), project("33330.01")
    set_rules("P3", share=Decimal("33.33"))
    rows = quality_rows(staff_client.get(reverse(QUALITY), HTTP_ACCEPT_LANGUAGE="en"))
    assert set(rows) == {just_beyond.code}
    assert at_the_limit.code not in rows
    # 33.33001 % is shown as 33.34 %, so the figure never looks within the rule.
    assert rows[just_beyond.code] == "\u2068P3\u2069: INDH share: 33.34% (at most 33.33%)"
