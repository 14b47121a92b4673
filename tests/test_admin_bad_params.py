"""Malformed admin addresses (a NUL byte in a filter, a search or an autocomplete; an id that is not a number)
are answered 400 or 404, never 500, for a superuser and for an official of a province alike."""

import pytest
from django.urls import reverse

from tests.access import VALIDATOR, khenifra, make_staff
from tests.factories import make_project

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "app_label={app}&model_name={model}&field_name={field}&term=%00"

NUL_QUERIES = [
    ("admin:funding_project_changelist", "status=%00"),
    ("admin:funding_project_changelist", "holder__holder_type__exact=%00"),
    ("admin:funding_project_changelist", "year=%00"),
    ("admin:funding_project_changelist", "commune__province__id__exact=%00"),
    ("admin:funding_project_changelist", "q=%00"),
    ("admin:cooperatives_holder_changelist", "holder_type__exact=%00"),
    # The admin's own pages beyond the model admins' views: data quality, import and export.
    ("admin:funding_project_data_quality", "province=%00"),
    ("admin:funding_project_import", "x=%00"),
    ("admin:index", "q=%00"),
    ("admin:funding_importbatch_changelist", "kind__exact=%00"),
    ("admin:cooperatives_commune_changelist", "kind__exact=%00"),
    ("admin:funding_project_add", "status=%00"),
    ("admin:auth_group_changelist", "q=%00"),
    ("admin:axes_accessattempt_changelist", "path_info=%00"),
    ("admin:axes_accesslog_changelist", "path_info=%00"),
    ("admin:autocomplete", AUTOCOMPLETE.format(app="funding", model="project", field="holder")),
    ("admin:autocomplete", AUTOCOMPLETE.format(app="funding", model="project", field="commune")),
    ("admin:autocomplete", AUTOCOMPLETE.format(app="funding", model="partnercontribution", field="partner")),
    ("admin:autocomplete", AUTOCOMPLETE.format(app="cooperatives", model="holder", field="commune")),
]


@pytest.fixture(params=["superuser", "validator"])
def official(request, client, django_user_model):
    if request.param == "superuser":
        user = django_user_model.objects.create_superuser("root", password="x")
    else:
        user = make_staff("validator", khenifra(), role=VALIDATOR)
    client.force_login(user)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url_name, query", NUL_QUERIES)
def test_a_nul_byte_in_an_admin_query_string_is_a_bad_request(official, url_name, query):
    make_project()
    response = official.get(f"{reverse(url_name)}?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "admin:funding_project_simple_history|{project}|abc",
        "admin:funding_project_simple_history|{project}|1.5",
        "admin:funding_project_simple_history|{project}|99999999999999999999",
        "admin:funding_project_simple_history|{project}|-1",
        "admin:cooperatives_holder_simple_history|{holder}|abc",
        "admin:funding_project_history|abc",
        "admin:funding_project_history|1.5",
        "admin:funding_project_history|99999999999999999999",
        "admin:cooperatives_holder_history|abc",
        "admin:funding_project_simple_history|abc|1",
    ],
)
def test_a_history_address_that_cannot_hold_an_id_is_not_found(official, path):
    project = make_project()
    url_name, *args = path.split("|")
    args = [arg.format(project=project.pk, holder=project.holder_id) for arg in args]
    response = official.get(reverse(url_name, args=args))
    assert response.status_code == 404


def test_another_objects_version_is_not_found(official):
    first, other = make_project(), make_project()
    version = other.history.latest()
    response = official.get(reverse("admin:funding_project_simple_history", args=[first.pk, version.pk]))
    assert response.status_code == 404


def test_well_formed_addresses_still_answer(official):
    project = make_project()
    version = project.history.latest()
    assert official.get(reverse("admin:funding_project_changelist") + "?status=programmed").status_code == 200
    assert official.get(reverse("admin:funding_project_history", args=[project.pk])).status_code == 200
    url = reverse("admin:funding_project_simple_history", args=[project.pk, version.pk])
    assert official.get(url).status_code == 200
    query = "app_label=funding&model_name=project&field_name=holder&term=Coop"
    assert official.get(f"{reverse('admin:autocomplete')}?{query}").status_code == 200
