"""An official of one province can neither read nor change another province's data, by any admin route."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from cooperatives.models import Commune, Holder, ProvinceAssignment
from funding.models import Disbursement, Project
from tests.access import VALIDATOR, khenifra, make_staff, midelt, two_provinces
from tests.factories import make_holder
from tests.funding.test_admin_entry import project_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return two_provinces()


def logged_in(client, user):
    client.force_login(user)
    return client


def test_each_officer_lists_only_the_projects_of_their_province(client, world):
    for officer, own, other in [
        (world["k_officer"], world["k_project"], world["m_project"]),
        (world["m_officer"], world["m_project"], world["k_project"]),
    ]:
        response = logged_in(client, officer).get(reverse("admin:funding_project_changelist"))
        assert response.status_code == 200
        assert [p.pk for p in response.context["cl"].result_list] == [own.pk]
        assert other.code not in response.content.decode()


def test_each_officer_lists_only_the_holders_of_their_province(client, world):
    response = logged_in(client, world["k_officer"]).get(reverse("admin:cooperatives_holder_changelist"))
    assert [h.pk for h in response.context["cl"].result_list] == [world["k_holder"].pk]
    response = logged_in(client, world["m_officer"]).get(reverse("admin:cooperatives_holder_changelist"))
    assert [h.pk for h in response.context["cl"].result_list] == [world["m_holder"].pk]


def test_searching_for_another_provinces_code_finds_nothing(client, world):
    response = logged_in(client, world["k_officer"]).get(
        reverse("admin:funding_project_changelist"), {"q": world["m_project"].code}
    )
    assert list(response.context["cl"].result_list) == []


def test_superuser_sees_every_province(staff_client, world):
    response = staff_client.get(reverse("admin:funding_project_changelist"))
    assert {p.pk for p in response.context["cl"].result_list} == {
        world["k_project"].pk,
        world["m_project"].pk,
    }


def test_an_account_without_province_sees_nothing(client, world):
    nobody = make_staff("no-province")
    response = logged_in(client, nobody).get(reverse("admin:funding_project_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "url_name, key",
    [
        ("admin:funding_project_change", "m_project"),
        ("admin:cooperatives_holder_change", "m_holder"),
        ("admin:funding_project_delete", "m_project"),
        ("admin:cooperatives_holder_delete", "m_holder"),
    ],
)
def test_another_provinces_change_and_delete_pages_are_closed(client, world, url_name, key):
    obj = world[key]
    # A validator of Khénifra: allowed to change and delete, but only in Khénifra.
    validator = make_staff("validator-khenifra", khenifra(), role=VALIDATOR)
    response = logged_in(client, validator).get(reverse(url_name, args=[obj.pk]), follow=True)
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert str(obj) not in content


@pytest.mark.parametrize("view", ["history"])
@pytest.mark.parametrize(
    "key, model_url", [("m_project", "funding_project"), ("m_holder", "cooperatives_holder")]
)
def test_another_provinces_history_is_not_found(client, world, view, key, model_url):
    obj = world[key]
    response = logged_in(client, world["k_officer"]).get(reverse(f"admin:{model_url}_{view}", args=[obj.pk]))
    assert response.status_code == 404
    response = logged_in(client, world["m_officer"]).get(reverse(f"admin:{model_url}_{view}", args=[obj.pk]))
    assert response.status_code == 200


def test_another_provinces_old_versions_cannot_be_read_nor_reverted(client, world):
    project = world["m_project"]
    version = project.history.latest()
    url = reverse("admin:funding_project_simple_history", args=[project.pk, version.history_id])
    officer = logged_in(client, world["k_officer"])
    assert officer.get(url).status_code == 404
    data = project_form(project.holder, code=project.code, title="Réécrit par Khénifra")
    data["commune"] = project.commune_id
    assert officer.post(url, data).status_code == 404
    project.refresh_from_db()
    assert project.title == "Projet de Midelt"


def test_a_deleted_projects_history_stays_with_its_province(client, staff_client, world):
    project = world["m_project"]
    project_id = project.pk
    project.delete()
    url = reverse("admin:funding_project_history", args=[project_id])
    assert logged_in(client, world["k_officer"]).get(url).status_code == 404
    assert logged_in(client, world["m_officer"]).get(url).status_code == 200


def test_posting_a_change_to_another_provinces_project_changes_nothing(client, world):
    project = world["m_project"]
    data = project_form(project.holder, code=project.code, title="Réécrit par Khénifra")
    data["commune"] = project.commune_id
    logged_in(client, world["k_officer"]).post(
        reverse("admin:funding_project_change", args=[project.pk]), data
    )
    project.refresh_from_db()
    assert project.title == "Projet de Midelt"


def test_a_validator_cannot_delete_another_provinces_project_even_in_bulk(client, world):
    validator = make_staff("validator-khenifra", khenifra(), role=VALIDATOR)
    own, other = world["k_project"], world["m_project"]
    response = logged_in(client, validator).post(
        reverse("admin:funding_project_changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Project.objects.filter(pk=own.pk).exists()
    assert Project.objects.filter(pk=other.pk).exists()


def test_a_validator_cannot_delete_another_provinces_holder_by_its_delete_page(client, world):
    validator = make_staff("validator-khenifra", khenifra(), role=VALIDATOR)
    holder = world["m_holder"]
    logged_in(client, validator).post(
        reverse("admin:cooperatives_holder_delete", args=[holder.pk]), {"post": "yes"}
    )
    assert Holder.objects.filter(pk=holder.pk).exists()


def autocomplete(client, model_name, field_name, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "funding" if model_name == "project" else "cooperatives",
         "model_name": model_name, "field_name": field_name},
    )  # fmt: skip
    assert response.status_code == 200
    return [item["text"] for item in response.json()["results"]]


def test_holder_autocomplete_offers_only_the_officers_holders(client, world):
    found = autocomplete(logged_in(client, world["k_officer"]), "project", "holder", "Coopérative test")
    assert found == [world["k_holder"].name]
    found = autocomplete(logged_in(client, world["m_officer"]), "project", "holder", "Coopérative test")
    assert found == [world["m_holder"].name]


@pytest.mark.parametrize("model_name", ["project", "holder"])
def test_commune_autocomplete_offers_only_the_officers_communes(client, world, model_name):
    assert autocomplete(logged_in(client, world["k_officer"]), model_name, "commune", "Midelt") == []
    assert "Khénifra" in autocomplete(logged_in(client, world["k_officer"]), model_name, "commune", "Khén")
    assert autocomplete(logged_in(client, world["m_officer"]), model_name, "commune", "Midelt") == ["Midelt"]
    assert autocomplete(logged_in(client, world["m_officer"]), model_name, "commune", "Khén") == []


def test_a_project_cannot_be_placed_in_another_provinces_commune_or_given_its_holder(client, world):
    officer = logged_in(client, world["k_officer"])
    data = project_form(world["m_holder"])
    data["commune"] = Commune.objects.get(code="midelt").pk
    response = officer.post(reverse("admin:funding_project_add"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "commune" in errors and "holder" in errors
    assert not Project.objects.filter(code=data["code"]).exists()


def test_a_holder_cannot_be_registered_in_another_provinces_commune(client, world):
    response = logged_in(client, world["k_officer"]).post(
        reverse("admin:cooperatives_holder_add"),
        {"name": "Coopérative intruse", "holder_type": "cooperative",
         "commune": Commune.objects.get(code="midelt").pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200
    assert "commune" in response.context["adminform"].form.errors
    assert not Holder.objects.filter(name="Coopérative intruse").exists()


def test_an_officer_enters_a_project_in_their_own_province(client, world):
    holder = make_holder(commune=Commune.objects.get(code="midelt"))
    data = project_form(holder, code="INDH-MDT-2026-001")
    data["commune"] = holder.commune_id
    response = logged_in(client, world["m_officer"]).post(reverse("admin:funding_project_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Project.objects.get(code="INDH-MDT-2026-001").commune.province == midelt()


def test_a_disbursement_of_another_province_cannot_be_edited_through_an_own_project(client, world):
    own, other = world["k_project"], world["m_project"]
    foreign = Disbursement.objects.create(project=other, released_on="2025-01-10", amount=Decimal("1000.00"))
    data = project_form(own.holder, code=own.code, title=own.title)
    data.update(
        {
            "disbursements-TOTAL_FORMS": "1",
            "disbursements-INITIAL_FORMS": "1",
            "disbursements-0-id": foreign.pk,
            "disbursements-0-project": own.pk,
            "disbursements-0-released_on": "2025-01-10",
            "disbursements-0-amount": "5.00",
        }
    )
    logged_in(client, world["k_officer"]).post(reverse("admin:funding_project_change", args=[own.pk]), data)
    foreign.refresh_from_db()
    assert foreign.project_id == other.pk
    assert foreign.amount == Decimal("1000.00")


def test_superuser_assigns_provinces_on_the_user_page(staff_client, world):
    officer = world["k_officer"]
    url = reverse("admin:auth_user_change", args=[officer.pk])
    page = staff_client.get(url)
    assert "province_assignments-TOTAL_FORMS" in page.content.decode()
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "username": officer.username,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "is_active": "on",
            "is_staff": "on",
            "groups": [g.pk for g in officer.groups.all()],
            "user_permissions": [],
            "province_assignments-TOTAL_FORMS": "2",
            "province_assignments-INITIAL_FORMS": "1",
            "province_assignments-0-id": ProvinceAssignment.objects.get(user=officer).pk,
            "province_assignments-0-user": officer.pk,
            "province_assignments-0-province": khenifra().pk,
            "province_assignments-1-user": officer.pk,
            "province_assignments-1-province": midelt().pk,
        }
    )
    data.pop("last_login", None)
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(officer.province_assignments.values_list("province__code", flat=True)) == {"KHN", "midelt"}


def test_a_staff_account_cannot_give_itself_a_province(client, world):
    officer = world["k_officer"]
    # Even an officer allowed to manage accounts cannot hand out provinces.
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    logged_in(client, officer)
    assert client.get(reverse("admin:cooperatives_provinceassignment_add")).status_code == 403
    page = client.get(reverse("admin:auth_user_change", args=[officer.pk]))
    assert page.status_code == 200
    assert "province_assignments-TOTAL_FORMS" not in page.content.decode()
    assert User.objects.get(pk=officer.pk).province_assignments.count() == 1
