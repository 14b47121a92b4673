"""Officials write dates day first (15/03/2025) in every language of the admin, and read them so.

Django's English and Arabic formats read 01/04/2025 as 4 January and refuse 15/03/2025:
indh_site/formats/ makes every language read dd/mm/yyyy, dd-mm-yyyy and yyyy-mm-dd, never
mm/dd, show dates as dd/mm/yyyy, and the admin's date fields say so.
"""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import formats, timezone, translation

from funding.models import Project
from indh_site import money
from tests.factories import make_project
from tests.funding.test_admin_entry import project_form, with_disbursements

pytestmark = pytest.mark.django_db

LANGUAGES = ["ar", "fr", "en"]


def post_project(client, language, *, signed_on, released_on="2025-06-01", project=None):
    holder = project.holder if project else make_project().holder
    data = with_disbursements(project_form(holder, code="INDH-KHN-2025-777"), "10000.00")
    data["agreement_signed_on"] = signed_on
    data["disbursements-0-released_on"] = released_on
    url = reverse("admin:funding_project_add")
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)


def saved():
    project = Project.objects.get(code="INDH-KHN-2025-777")
    return project.agreement_signed_on, project.disbursements.get().released_on


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("15/03/2025", datetime.date(2025, 3, 15)),
        ("01/04/2025", datetime.date(2025, 4, 1)),
        ("01-04-2025", datetime.date(2025, 4, 1)),
        ("2025-04-01", datetime.date(2025, 4, 1)),
    ],
)
def test_the_admin_reads_dates_day_first_in_every_language(staff_client, language, written, meant):
    response = post_project(staff_client, language, signed_on=written, released_on=written)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert saved() == (meant, meant)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_month_first_date_is_refused_with_the_expected_form(staff_client, language):
    response = post_project(staff_client, language, signed_on="03/15/2025", released_on="03/15/2025")
    assert response.status_code == 200
    assert not Project.objects.filter(code="INDH-KHN-2025-777").exists()
    form = response.context["adminform"].form
    disbursement_errors = response.context["inline_admin_formsets"][1].formset.errors[0]
    with translation.override(language):
        expected = translation.gettext("Enter a valid date, day first: dd/mm/yyyy, for example 15/03/2025.")
    assert form.errors["agreement_signed_on"] == [expected]
    assert disbursement_errors["released_on"] == [expected]
    assert html.escape(expected) in response.content.decode()


def test_the_change_form_of_a_project_reads_day_first_too(staff_client):
    project = make_project(agreement_signed_on=datetime.date(2020, 1, 1))
    data = project_form(project.holder, code=project.code, agreement_signed_on="01/04/2025")
    url = reverse("admin:funding_project_change", args=[project.pk])
    response = staff_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.agreement_signed_on == datetime.date(2025, 4, 1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_are_shown_day_first_in_the_admin(staff_client, language):
    project = make_project(agreement_signed_on=datetime.date(2025, 4, 1))
    page = staff_client.get(
        reverse("admin:funding_project_change", args=[project.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    content = page.content.decode()
    # The field holds the date as the official writes it; the record's times the same way.
    assert 'value="01/04/2025"' in content
    created = timezone.localtime(project.created_at).strftime("%d/%m/%Y %H:%M")
    assert created in content
    history = staff_client.get(
        reverse("admin:funding_project_history", args=[project.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    record = project.history.latest()
    assert timezone.localtime(record.history_date).strftime("%d/%m/%Y %H:%M") in history.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_fields_say_the_expected_form(staff_client, language):
    page = staff_client.get(reverse("admin:funding_project_add"), HTTP_ACCEPT_LANGUAGE=language)
    content = page.content.decode()
    placeholder = {"ar": "يوم/شهر/سنة", "fr": "jj/mm/aaaa", "en": "dd/mm/yyyy"}[language]
    for field in ("id_agreement_signed_on", "id_disbursements-__prefix__-released_on"):
        tag = re.search(rf'<input [^>]*id="{re.escape(field)}"[^>]*>', content).group(0)
        assert f'placeholder="{placeholder}"' in tag
    with translation.override(language):
        hint = translation.gettext(
            "Day first: dd/mm/yyyy, for example 15/03/2025 (also 15-03-2025 or 2025-03-15)."
        )
    assert html.escape(hint) in content


def editable_date_fields(model_admin):
    for field in model_admin.model._meta.get_fields():
        if isinstance(field, models.DateField) and field.editable and not field.auto_created:
            yield field


def test_every_date_field_of_the_admin_carries_the_hint(staff_user):
    """A date field added to any admin (or inline) later gets the hint too, or this fails."""
    request = RequestFactory().get("/")
    request.user = staff_user
    admins = list(admin.site._registry.values())
    admins += [inline for model_admin in list(admins) for inline in model_admin.get_inline_instances(request)]
    checked = 0
    for model_admin in admins:
        readonly = set(model_admin.get_readonly_fields(request))
        for field in editable_date_fields(model_admin):
            if field.name in readonly or field.auto_now or field.auto_now_add:
                continue
            formfield = model_admin.formfield_for_dbfield(field, request)
            widget = formfield.widget
            date_widget = widget.widgets[0] if hasattr(widget, "widgets") else widget
            assert "placeholder" in date_widget.attrs, f"{model_admin}: {field.name}"
            with translation.override("en"):
                assert "dd/mm/yyyy" in str(formfield.help_text), f"{model_admin}: {field.name}"
            checked += 1
    assert checked >= 5  # a project's agreement, a disbursement, a holder's creation, an account's dates


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_calendar_writes_the_date_day_first(staff_client, language):
    # DateTimeShortcuts.js writes the picked date with get_format('DATE_INPUT_FORMATS')[0].
    response = staff_client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE=language)
    found = re.search(r'"DATE_INPUT_FORMATS": (\[[^\]]*\])', response.content.decode())
    assert json.loads(found.group(1))[0] == "%d/%m/%Y"


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_keep_the_separators_amounts_are_written_with(language):
    value = Decimal("1250000.50")
    with translation.override(language):
        django_written = formats.number_format(value, 2, force_grouping=True)
        assert formats.date_format(datetime.date(2025, 4, 1), "SHORT_DATE_FORMAT") == "01/04/2025"
        assert formats.date_format(datetime.date(2025, 4, 1)) == "01/04/2025"
    assert django_written == money.format_number(value, 2, language)


def test_the_api_keeps_iso_dates(client):
    make_project(agreement_signed_on=datetime.date(2025, 4, 1))
    response = client.get(reverse("api:projects"), HTTP_ACCEPT_LANGUAGE="ar")
    assert "2025-04-01" in response.content.decode()
    assert "01/04/2025" not in response.content.decode()
