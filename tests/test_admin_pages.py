"""Every admin page loads for a staff user and sends an anonymous visitor to the login page."""

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_project

pytestmark = pytest.mark.django_db

MODELS = list(admin.site._registry)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_list_page_loads_for_staff(staff_client, model, demo_data):
    response = staff_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_pages_redirect_anonymous_visitors_to_login(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


# A superuser, as far as the admins' add rules look. Import batches and django-axes' login records are
# written by the application itself, so their admins refuse every add, even to a superuser.
SUPERUSER = SimpleNamespace(is_superuser=True, has_perm=lambda perm, obj=None: True)
SUPERUSER_REQUEST = SimpleNamespace(user=SUPERUSER)
ADDABLE = [m for m in MODELS if admin.site._registry[m].has_add_permission(SUPERUSER_REQUEST)]
NOT_ADDABLE = [m for m in MODELS if m not in ADDABLE]


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m._meta.label)
def test_add_page_loads_for_staff(staff_client, model):
    response = staff_client.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", NOT_ADDABLE, ids=lambda m: m._meta.label)
def test_add_page_is_refused_for_what_only_an_import_makes(staff_client, model):
    response = staff_client.get(admin_url(model, "add"))
    assert response.status_code == 403


def test_only_records_the_application_writes_itself_have_no_add_page():
    assert {m._meta.label for m in NOT_ADDABLE} == {
        "funding.ImportBatch",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
    }


def test_project_change_page_shows_money_inlines(staff_client):
    project = make_project()
    response = staff_client.get(admin_url(project.__class__, "change", project.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "partner_lines-TOTAL_FORMS" in content
    assert "disbursements-TOTAL_FORMS" in content


@pytest.mark.parametrize(
    "query",
    [
        "q=INDH-KHN-2021-084",
        "q=Atlas",
        "q=05483",
        "year__exact=2025",
        "sector__id__exact=1",
        "status__exact=completed",
        "holder__holder_type__exact=association",
        "programme__id__exact=3",
    ],
)
def test_project_search_and_filters_load(staff_client, demo_data, query):
    from funding.models import Project

    response = staff_client.get(admin_url(Project, "changelist") + "?" + query)
    # An invalid filter would redirect to ?e=1 (302); a working one renders the list.
    assert response.status_code == 200


def test_search_by_code_title_holder_and_registration_number(staff_client, demo_data):
    from funding.models import Project

    url = admin_url(Project, "changelist")
    for term in ["INDH-KHN-2021-084", "Couture — Sidi Hcine", "Coopérative Atlas Couture 57", "05483"]:
        response = staff_client.get(url, {"q": term})
        assert [p.code for p in response.context["cl"].result_list] == ["INDH-KHN-2021-084"], term


def test_money_is_shown_grouped_in_mad(staff_client, demo_data):
    from funding.models import Project

    response = staff_client.get(
        admin_url(Project, "changelist"), {"q": "INDH-KHN-2021-084"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "2\u00a0105\u00a0000,00" in response.content.decode()


def test_holder_and_commune_autocomplete_answer(staff_client, demo_data):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "Atlas", "app_label": "funding", "model_name": "project", "field_name": "holder"},
    )
    assert response.status_code == 200
    assert "Atlas Couture" in response.content.decode()
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "Hcine", "app_label": "funding", "model_name": "project", "field_name": "commune"},
    )
    assert "Sidi Hcine" in response.content.decode()
