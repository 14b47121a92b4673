"""An import never tells an official anything about a province their account does not work on.

A row outside the account's provinces — its commune, a project code or a holder's registration number
of another province — gets one message, the same whatever put it there, and is checked no further
(its amounts, status and holder would be compared with the other province's data). An import batch
touching several provinces shows each official the counts of their own provinces only.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Holder
from funding import services
from funding.importers import OUTSIDE_SCOPE
from funding.models import Disbursement, ImportBatch, Partner, PartnerContribution, Project
from tests.access import ANALYST, khenifra, make_holder, make_project, make_staff, midelt, midelt_commune
from tests.funding.workbooks import project_row, xlsx

pytestmark = pytest.mark.django_db

HOLDER_HEADERS = [
    "Nom du porteur",
    "Type de porteur",
    "N° d'immatriculation",
    "Commune",
    "Nombre d'adhérents",
]


@pytest.fixture
def midelt_project():
    """A Midelt project with money already released and partner lines, and a registered holder with
    women members: everything an official of Khénifra must not learn."""
    holder = make_holder(
        name="Coopérative Ayachi",
        registration_number="MDT-7777",
        commune=midelt_commune(),
        members_total=40,
        members_women=33,
    )
    project = make_project(
        code="MDT-001",
        commune=midelt_commune(),
        holder=holder,
        status="in_progress",
        total_cost=Decimal("100000.00"),
        indh_contribution=Decimal("60000.00"),
        partner_contribution=Decimal("20000.00"),
        holder_contribution=Decimal("20000.00"),
    )
    Disbursement.objects.create(project=project, released_on="2024-05-02", amount=Decimal("54321.00"))
    partner = Partner.objects.first()
    PartnerContribution.objects.create(project=project, partner=partner, amount=Decimal("20000.00"))
    return project


def officer():
    return make_staff("officer-khenifra", khenifra())


def messages(result):
    return [(error.row, error.message) for error in result.errors]


def run_projects(*rows, user):
    return services.import_workbook(file=xlsx(list(rows)), file_name="bilan.xlsx", user=user)


def test_another_provinces_project_code_gets_only_the_out_of_scope_message(midelt_project):
    # Lower INDH's share below what was released, change the partners' share, ask for "completed":
    # each would have been compared with the Midelt project and told its figures.
    row = project_row(
        "MDT-001",
        **{
            "Coût global (DH)": 100000,
            "Contribution INDH (DH)": 10000,
            "Contribution partenaires (DH)": 5000,
            "Apport du porteur (DH)": 1000,
            "Statut": "Achevé",
            "Nombre d'adhérents": 2,
        },
    )
    result = run_projects(row, user=officer())
    assert messages(result) == [(2, str(OUTSIDE_SCOPE))]
    text = " ".join(str(error) for error in result.errors)
    for secret in ("54", "321", "20 000", "20000", "Ayachi", "33"):
        assert secret not in text
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert result.preview == []


def test_the_message_is_the_same_for_a_code_of_another_province_and_a_row_simply_out_of_scope(midelt_project):
    user = officer()
    taken_code = run_projects(project_row("MDT-001"), user=user)
    other_commune = run_projects(project_row("NEW-1", **{"Commune": "Midelt"}), user=user)
    both = run_projects(project_row("MDT-001", **{"Commune": "Midelt"}), user=user)
    assert {error.message for result in (taken_code, other_commune, both) for error in result.errors} == {
        str(OUTSIDE_SCOPE)
    }
    assert [len(result.errors) for result in (taken_code, other_commune, both)] == [1, 1, 1]


def test_a_registration_number_of_another_province_does_not_reach_its_holder(midelt_project):
    user = officer()
    # Numbers are per province (issue 18): Midelt's MDT-7777 is not Khénifra's. Same holder name as in
    # Midelt or another one, fewer members than its women: nothing of Midelt's holder is compared or told.
    for code, name in (("KHN-NEW-1", "Coopérative Ayachi"), ("KHN-NEW-2", "Coopérative Autre")):
        row = project_row(
            code, **{"Porteur du projet": name, "N° d'immatriculation": "MDT-7777", "Nombre d'adhérents": 3}
        )
        result = run_projects(row, user=user)
        assert result.ok, result.errors
        holder = Project.objects.get(code=code).holder
        assert holder.province == khenifra() and holder.registration_number == "MDT-7777"
    ayachi = Holder.objects.get(registration_number="MDT-7777", province=midelt())
    assert (ayachi.name, ayachi.members_total) == ("Coopérative Ayachi", 40)


def holders_file(*rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Porteurs"
    sheet.append(HOLDER_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_holders_list_tells_nothing_of_another_provinces_holder(midelt_project):
    user = officer()
    result = services.import_holders(
        file=holders_file(
            ["Coopérative Renommée", "Coopérative", "MDT-7777", "Khénifra", 5],
            ["Coopérative Ayachi", "Coopérative", "MDT-7777", "Midelt", 5],
            ["Coopérative Neuve", "Coopérative", None, "Midelt", 5],
        ),
        file_name="porteurs.xlsx",
        user=user,
    )
    # Row 2 is Khénifra's own MDT-7777 (numbers are per province): only Midelt's rows are refused.
    assert messages(result) == [(3, str(OUTSIDE_SCOPE)), (4, str(OUTSIDE_SCOPE))]
    assert "40" not in " ".join(str(error) for error in result.errors)
    holder = Holder.objects.get(registration_number="MDT-7777")
    assert (holder.name, holder.members_total) == ("Coopérative Ayachi", 40)


def test_the_out_of_scope_message_is_in_the_officials_language(midelt_project):
    with translation.override("ar"):
        result = run_projects(project_row("MDT-001"), user=officer())
        assert (
            result.errors[0].message
            == "يتعلق هذا السطر بإقليم لا يشتغل عليه حسابك: لا يمكن استيراده من حسابك."
        )


def test_the_admin_preview_shows_the_one_message_and_no_figure(client, settings, tmp_path, midelt_project):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer())
    response = client.post(
        reverse("admin:funding_project_import"),
        {
            "import_file": SimpleUploadedFile(
                "bilan.xlsx", xlsx([project_row("MDT-001", **{"Contribution INDH (DH)": 10000})])
            ),
            "format": "0",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cette ligne concerne une province sur laquelle votre compte ne travaille pas" in content
    assert "54" + "\u202f" not in content and "54 321" not in content and "54321" not in content
    assert "confirm_form" not in response.context


# --- an import batch's counts --------------------------------------------------------------------


@pytest.fixture
def two_province_batch(django_user_model):
    """A superuser's import: one new project in Khénifra, two in Midelt, one unchanged in Midelt."""
    midelt()
    make_project(code="MDT-OLD", commune=midelt_commune(), holder=make_holder(name="Coop Old"))
    Project.objects.filter(code="MDT-OLD").update(title="Unité de tissage")
    admin = django_user_model.objects.create_superuser("chief", "chief@example.org", "x")
    rows = [
        project_row("K-1"),
        project_row("M-1", **{"Commune": "Midelt"}),
        project_row("M-2", **{"Commune": "Midelt"}),
    ]
    result = services.import_workbook(file=xlsx(rows), file_name="deux.xlsx", user=admin)
    assert result.ok, result.errors
    batch = ImportBatch.objects.get()
    assert (batch.created, batch.updated, batch.unchanged) == (3, 0, 0)
    return batch


def page_counts(client, batch):
    response = client.get(reverse("admin:funding_importbatch_change", args=[batch.pk]))
    assert response.status_code == 200
    # created, updated, unchanged, skipped (a projects workbook's holder counts follow: test_holder_counts.py)
    return [value for _label, value in response.context["batch_counts"][:4]]


def list_counts(client):
    response = client.get(reverse("admin:funding_importbatch_changelist"))
    assert response.status_code == 200
    cells = response.context["cl"].result_list
    columns = response.context["cl"].list_display[-4:]
    return [[column(batch) for column in columns] for batch in cells]


def test_an_official_sees_only_their_provinces_counts_of_an_import(client, two_province_batch):
    client.force_login(make_staff("analyst-khenifra", khenifra(), role=ANALYST))
    assert page_counts(client, two_province_batch) == [1, 0, 0, None]
    assert list_counts(client) == [[1, 0, 0, None]]
    url = reverse("admin:funding_importbatch_change", args=[two_province_batch.pk])
    assert "Seules les lignes de vos provinces sont comptées." in client.get(url).content.decode()

    client.force_login(make_staff("analyst-midelt", midelt(), role=ANALYST))
    assert page_counts(client, two_province_batch)[0] == 2
    assert list_counts(client) == [[2, 0, 0, None]]

    client.force_login(two_province_batch.user)
    assert page_counts(client, two_province_batch) == [3, 0, 0, 0]


def test_the_official_who_ran_an_import_sees_its_whole_counts(client):
    user = officer()
    result = services.import_workbook(file=xlsx([project_row("K-9")]), file_name="k.xlsx", user=user)
    assert result.ok, result.errors
    batch = ImportBatch.objects.get()
    assert batch.province_counts == {str(khenifra().pk): {"created": 1, "updated": 0, "unchanged": 0}}
    client.force_login(user)
    assert page_counts(client, batch) == [1, 0, 0, 0]
