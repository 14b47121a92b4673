"""Roles: what a data-entry officer, a validator and a read-only analyst may do in the admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from funding.models import Project
from tests.access import ANALYST, DATA_ENTRY_OFFICER, VALIDATOR, khenifra, make_staff
from tests.factories import make_holder, make_project
from tests.funding.test_admin_entry import project_form

pytestmark = pytest.mark.django_db


def perms_of(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_the_three_roles_exist_with_their_rights():
    officer, validator, analyst = perms_of(DATA_ENTRY_OFFICER), perms_of(VALIDATOR), perms_of(ANALYST)
    for perm in [
        "cooperatives.add_holder",
        "cooperatives.change_holder",
        "funding.add_project",
        "funding.change_project",
        "funding.add_disbursement",
        "funding.change_partnercontribution",
        "funding.import_project",
        "cooperatives.import_holder",
    ]:
        assert perm in officer, perm
    assert not {p for p in officer if p.split(".")[1].startswith("delete_")}
    assert "funding.validate_project" not in officer
    assert {"funding.validate_project", "funding.delete_project", "cooperatives.delete_holder"} <= validator
    assert officer <= validator
    assert {"funding.view_project", "cooperatives.view_holder", "funding.export_project",
            "cooperatives.export_holder"} <= analyst  # fmt: skip
    assert not {p for p in analyst if p.split(".")[1].split("_")[0] in {"add", "change", "delete", "import"}}


@pytest.fixture
def officer_client(client):
    client.force_login(make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER))
    return client


@pytest.fixture
def validator_client(client):
    client.force_login(make_staff("validator", khenifra(), role=VALIDATOR))
    return client


@pytest.fixture
def analyst_client(client):
    client.force_login(make_staff("analyst", khenifra(), role=ANALYST))
    return client


def status_options(response):
    return [value for value, _label in response.context["adminform"].form.fields["status"].widget.choices]


def test_an_officer_is_not_offered_the_validated_statuses(officer_client):
    response = officer_client.get(reverse("admin:funding_project_add"))
    assert status_options(response) == ["programmed", "in_progress"]


def test_a_validator_is_offered_every_status(validator_client):
    response = validator_client.get(reverse("admin:funding_project_add"))
    assert status_options(response) == ["programmed", "approved", "in_progress", "completed", "cancelled"]


@pytest.mark.parametrize("status", ["approved", "completed", "cancelled"])
def test_an_officer_setting_a_validated_status_is_told_who_can(officer_client, status):
    project = make_project()
    data = project_form(project.holder, code=project.code, status=status)
    response = officer_client.post(
        reverse("admin:funding_project_change", args=[project.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert (
        "Only a validator can set a project to approved, completed or cancelled." in response.content.decode()
    )
    project.refresh_from_db()
    assert project.status == "programmed"


def test_the_refusal_speaks_the_officers_language(officer_client):
    data = project_form(make_holder(), status="approved")
    response = officer_client.post(reverse("admin:funding_project_add"), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Seul un validateur peut" in response.content.decode()
    assert not Project.objects.filter(code=data["code"]).exists()


def test_an_officer_may_move_a_project_in_progress_and_edit_an_approved_one(officer_client):
    project = make_project()
    data = project_form(project.holder, code=project.code, status="in_progress")
    response = officer_client.post(reverse("admin:funding_project_change", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "in_progress"

    approved = make_project(status="approved")
    page = officer_client.get(reverse("admin:funding_project_change", args=[approved.pk]))
    assert "approved" in status_options(page)  # the status it has stays selectable
    data = project_form(approved.holder, code=approved.code, status="approved", title="Titre corrigé")
    response = officer_client.post(reverse("admin:funding_project_change", args=[approved.pk]), data)
    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.title) == ("approved", "Titre corrigé")


def test_a_validator_approves_a_project(validator_client):
    project = make_project()
    data = project_form(project.holder, code=project.code, status="approved")
    response = validator_client.post(reverse("admin:funding_project_change", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "approved"


def test_an_officer_cannot_delete(officer_client):
    project = make_project()
    response = officer_client.post(
        reverse("admin:funding_project_delete", args=[project.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_validator_deletes_a_project(validator_client):
    project = make_project()
    response = validator_client.post(
        reverse("admin:funding_project_delete", args=[project.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()


def test_an_analyst_reads_but_cannot_add_or_change(analyst_client):
    project = make_project()
    assert analyst_client.get(reverse("admin:funding_project_changelist")).status_code == 200
    assert analyst_client.get(reverse("admin:funding_project_add")).status_code == 403
    page = analyst_client.get(reverse("admin:funding_project_change", args=[project.pk]))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()  # read-only: no input to type into
    data = project_form(project.holder, code=project.code, title="Changé")
    response = analyst_client.post(reverse("admin:funding_project_change", args=[project.pk]), data)
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title != "Changé"


def admin_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize(
    "role, may_import, may_export",
    [(DATA_ENTRY_OFFICER, True, False), (VALIDATOR, True, False), (ANALYST, False, True)],
)
def test_import_and_export_are_rights_of_their_own(role, may_import, may_export):
    project_admin = admin.site._registry[Project]
    if not hasattr(project_admin, "has_import_permission"):
        pytest.xfail("the admin import/export (funding/admin_import.py) is not built yet")
    request = admin_request(make_staff(f"user-{role}", khenifra(), role=role))
    assert project_admin.has_import_permission(request) is may_import
    assert project_admin.has_export_permission(request) is may_export
