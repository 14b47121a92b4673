"""An official enters a project with its funding in the admin and is told what to fix."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cooperatives.models import Commune, Sector
from funding.models import Partner, Programme, Project
from tests.factories import make_holder

pytestmark = pytest.mark.django_db

ADD_URL = "admin:funding_project_add"


def project_form(holder, **overrides):
    data = {
        "code": "INDH-KHN-2026-001",
        "title": "Unité de tissage",
        "holder": holder.pk,
        "status": "programmed",
        "sector": Sector.objects.get(code="handicrafts").pk,
        "commune": Commune.objects.get(code="khenifra").pk,
        "programme": Programme.objects.get(code="P3").pk,
        "year": 2026,
        "jobs_created": 4,
        "total_cost": "200000.00",
        "indh_contribution": "120000.00",
        "partner_contribution": "50000.00",
        "holder_contribution": "30000.00",
        "agreement_number": "",
        "agreement_signed_on": "",
        "private_notes": "",
        "partner_lines-TOTAL_FORMS": "0",
        "partner_lines-INITIAL_FORMS": "0",
        "disbursements-TOTAL_FORMS": "0",
        "disbursements-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def with_partner_lines(data, *lines):
    data["partner_lines-TOTAL_FORMS"] = str(len(lines))
    for i, (code, amount) in enumerate(lines):
        data[f"partner_lines-{i}-partner"] = Partner.objects.get(code=code).pk
        data[f"partner_lines-{i}-amount"] = amount
    return data


def with_disbursements(data, *amounts):
    data["disbursements-TOTAL_FORMS"] = str(len(amounts))
    for i, amount in enumerate(amounts):
        data[f"disbursements-{i}-released_on"] = "2026-03-01"
        data[f"disbursements-{i}-amount"] = amount
        data[f"disbursements-{i}-reference"] = f"OV-{i}"
    return data


def test_a_valid_project_with_partner_detail_and_disbursements_is_saved(staff_client):
    holder = make_holder()
    data = with_disbursements(
        with_partner_lines(project_form(holder), ("provincial-council", "30000.00"), ("odco", "20000.00")),
        "60000.00",
        "60000.00",
    )
    response = staff_client.post(reverse(ADD_URL), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(code="INDH-KHN-2026-001")
    assert project.indh_contribution == Decimal("120000.00")
    assert project.partner_lines.count() == 2
    assert sum(d.amount for d in project.disbursements.all()) == Decimal("120000.00")


def test_indh_share_above_total_cost_is_explained_and_nothing_saved(staff_client):
    holder = make_holder()
    data = project_form(
        holder, indh_contribution="250000.00", partner_contribution="0", holder_contribution="0"
    )
    response = staff_client.post(reverse(ADD_URL), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert (
        "INDH&#x27;s contribution cannot exceed the project&#x27;s total cost." in response.content.decode()
    )
    assert not Project.objects.exists()


def test_shares_above_total_cost_are_explained(staff_client):
    holder = make_holder()
    data = project_form(holder, partner_contribution="90000.00")
    response = staff_client.post(reverse(ADD_URL), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "exceed the total cost by more than 1 MAD" in response.content.decode()
    assert not Project.objects.exists()


def test_partner_lines_must_add_up_to_the_partners_share(staff_client):
    holder = make_holder()
    data = with_partner_lines(project_form(holder), ("provincial-council", "30000.00"), ("odco", "10000.00"))
    response = staff_client.post(reverse(ADD_URL), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The partner lines add up to" in response.content.decode()
    assert not Project.objects.exists()


def test_disbursements_above_indh_share_are_explained(staff_client):
    holder = make_holder()
    data = with_disbursements(project_form(holder), "100000.00", "20000.01")
    response = staff_client.post(reverse(ADD_URL), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "more than INDH&#x27;s contribution" in response.content.decode()
    assert not Project.objects.exists()


def test_admin_speaks_arabic_right_to_left(staff_client):
    response = staff_client.get(reverse(ADD_URL), HTTP_ACCEPT_LANGUAGE="ar")
    content = response.content.decode()
    assert 'dir="rtl"' in content
    assert 'lang="ar"' in content
