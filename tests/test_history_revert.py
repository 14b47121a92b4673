"""An old version's page (the history's "revert" form) is a change like any other.

Who may not change the object only reads the version there; who may is shown the change form filled in with
the version's values, and saving it goes through every rule of the change form: permissions, provinces, the
status rule (against the saved project, not the old version), partner lines and disbursements.
"""

import datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from cooperatives.models import Holder
from funding.models import Disbursement, Project
from tests.access import ANALYST, DATA_ENTRY_OFFICER, VALIDATOR, khenifra, make_staff, midelt, midelt_commune
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db

# Every model whose admin has the history pages (AuditedHistoryAdmin), with a text field to change.
HISTORY_ADMINS = [("funding", "project", "title"), ("cooperatives", "holder", "name")]


def make_object(model_name, **fields):
    return make_project(**fields) if model_name == "project" else make_holder(**fields)


def version_url(obj, version):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version.pk])


def with_old_version(model_name, field, old="Ancienne valeur", new="Valeur actuelle", **fields):
    """An object whose `field` was `old` in its first version and is `new` now; (object, first version)."""
    obj = make_object(model_name, **{field: old}, **fields)
    first = obj.history.earliest()
    setattr(obj, field, new)
    obj.save()
    return obj, first


def as_posted(name, value):
    if value is None:
        return {name: ""}
    if isinstance(value, bool):
        return {name: "on"} if value else {}
    if isinstance(value, (list, tuple)):
        return {name: [str(v) for v in value]}
    if isinstance(value, datetime.date):
        return {name: value.isoformat()}
    return {name: str(value)}


def form_data(response):
    """What a browser sends when the form on the page is saved as shown: the form and its inline rows."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data.update(as_posted(form.add_prefix(name), form[name].value()))
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for row in formset.forms:
            for name in row.fields:
                data.update(as_posted(row.add_prefix(name), row[name].value()))
    return data


def version_values(version):
    """The old version's values as a change form would post them (what a hand-made POST sends)."""
    data = {}
    for name, value in model_to_dict(version.instance).items():
        data.update(as_posted(name, value))
    data.update(
        {
            "partner_lines-TOTAL_FORMS": "0",
            "partner_lines-INITIAL_FORMS": "0",
            "disbursements-TOTAL_FORMS": "0",
            "disbursements-INITIAL_FORMS": "0",
        }
    )
    return data


@pytest.mark.parametrize("app_label, model_name, field", HISTORY_ADMINS)
def test_a_read_only_analyst_reads_an_old_version_but_cannot_revert_to_it(
    client, app_label, model_name, field
):
    obj, first = with_old_version(model_name, field)
    history_count = obj.history.count()
    client.force_login(make_staff("analyst", khenifra(), role=ANALYST))

    page = client.get(version_url(obj, first), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Ancienne valeur" in content  # the version is shown…
    assert f'name="{field}"' not in content  # …as text, not as a field to edit
    assert 'name="_save"' not in content
    assert not page.context["adminform"].form.fields

    response = client.post(version_url(obj, first), version_values(first))
    assert response.status_code == 403
    obj.refresh_from_db()
    assert getattr(obj, field) == "Valeur actuelle"
    assert obj.history.count() == history_count


@pytest.mark.parametrize("app_label, model_name, field", HISTORY_ADMINS)
def test_an_officer_reverts_through_the_change_form_and_is_the_author(client, app_label, model_name, field):
    obj, first = with_old_version(model_name, field)
    officer = make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER)
    client.force_login(officer)

    page = client.get(version_url(obj, first))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form[field].value() == "Ancienne valeur"  # filled in with the old version…
    # …for the saved row, against which every rule is checked.
    assert form.instance.pk == obj.pk and getattr(form.instance, field) == "Valeur actuelle"
    change_url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
    assert f'action="{change_url}"' in page.content.decode()

    response = client.post(version_url(obj, first), form_data(page))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, field) == "Ancienne valeur"
    latest = obj.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", officer)


def test_an_officer_cannot_revert_a_project_to_a_completed_version(client):
    """The status rule compares with the saved project's status, not with the old version's."""
    project = make_project(status="completed")
    completed = project.history.earliest()
    project.status = "in_progress"
    project.save()
    client.force_login(make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER))

    page = client.get(version_url(project, completed), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    # The old status is shown as it was, so saving it explains the refusal rather than picking another one.
    assert page.context["adminform"].form["status"].value() == "completed"
    assert 'value="completed" selected' in page.content.decode()

    for url in (version_url(project, completed), reverse("admin:funding_project_change", args=[project.pk])):
        response = client.post(url, form_data(page), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "Only a validator can set a project to approved" in response.content.decode()
        project.refresh_from_db()
        assert project.status == "in_progress"

    # Keeping the current status, the rest of the old version is restored.
    data = {**form_data(page), "status": "in_progress"}
    assert client.post(version_url(project, completed), data).status_code == 302


def test_a_validator_may_revert_a_project_to_a_completed_version(client):
    project = make_project(status="completed")
    completed = project.history.earliest()
    project.status = "in_progress"
    project.save()
    client.force_login(make_staff("validator", khenifra(), role=VALIDATOR))
    page = client.get(version_url(project, completed))
    assert client.post(version_url(project, completed), form_data(page)).status_code == 302
    project.refresh_from_db()
    assert project.status == "completed"


def test_a_revert_is_checked_against_the_disbursements_recorded_since(client):
    project = make_project(indh_contribution=Decimal("50000.00"), holder_contribution=Decimal("30000.00"))
    small_share = project.history.earliest()
    project.indh_contribution, project.holder_contribution = Decimal("60000.00"), Decimal("20000.00")
    project.save()
    Disbursement.objects.create(
        project=project, released_on=datetime.date(2026, 3, 1), amount=Decimal("60000.00"), reference="OV-1"
    )
    client.force_login(make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER))

    page = client.get(version_url(project, small_share), HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="disbursements-TOTAL_FORMS"' in page.content.decode()  # the inlines are part of the revert
    response = client.post(version_url(project, small_share), form_data(page), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "more than INDH&#x27;s contribution" in response.content.decode()
    project.refresh_from_db()
    assert project.indh_contribution == Decimal("60000.00")


@pytest.mark.parametrize("app_label, model_name, field", HISTORY_ADMINS)
def test_a_version_from_another_province_is_not_found(client, app_label, model_name, field):
    """An object moved into the officer's province keeps its old versions from the other province hidden."""
    obj, midelt_version = with_old_version(model_name, field, commune=midelt_commune())
    obj.commune_id = khenifra().communes.get(code="khenifra").pk
    obj.save()
    current = obj.history.latest()
    client.force_login(make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER))

    assert client.get(version_url(obj, current)).status_code == 200
    assert client.get(version_url(obj, midelt_version)).status_code == 404
    response = client.post(version_url(obj, midelt_version), version_values(midelt_version))
    assert response.status_code == 404
    obj.refresh_from_db()
    assert obj.commune.province == khenifra()


@pytest.mark.parametrize("app_label, model_name, field", HISTORY_ADMINS)
def test_another_provinces_object_cannot_be_reverted(client, app_label, model_name, field):
    obj, first = with_old_version(model_name, field, commune=midelt_commune())
    client.force_login(make_staff("validator", khenifra(), role=VALIDATOR))
    assert client.get(version_url(obj, first)).status_code == 404
    assert client.post(version_url(obj, first), version_values(first)).status_code == 404
    obj.refresh_from_db()
    assert getattr(obj, field) == "Valeur actuelle"
    assert midelt()  # the row stayed where it was


def test_a_deleted_projects_versions_are_read_only(client):
    project, first = with_old_version("project", "title")
    project_id = project.pk
    url = version_url(project, first)
    project.delete()
    client.force_login(make_staff("validator", khenifra(), role=VALIDATOR))
    page = client.get(url)
    assert page.status_code == 200
    assert "Ancienne valeur" in page.content.decode()
    assert 'name="title"' not in page.content.decode()
    assert client.post(url, version_values(first)).status_code == 403
    assert not Project.objects.filter(pk=project_id).exists()


def test_a_superuser_reverts_a_holder(client, django_user_model):
    holder, first = with_old_version("holder", "name")
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    page = client.get(version_url(holder, first))
    assert client.post(version_url(holder, first), form_data(page)).status_code == 302
    assert Holder.objects.get(pk=holder.pk).name == "Ancienne valeur"


@pytest.mark.parametrize(
    "language, words", [("ar", "مُلئت هذه الاستمارة"), ("fr", "Ce formulaire est rempli"), ("en", "filled in")]
)
def test_the_revert_form_says_it_is_a_change_like_any_other_in_the_users_language(client, language, words):
    project, first = with_old_version("project", "title")
    client.force_login(make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER))
    page = client.get(version_url(project, first), HTTP_ACCEPT_LANGUAGE=language)
    assert words in page.content.decode()
