"""The database itself refuses projects and money that break the rules."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from funding.models import Disbursement, Partner, PartnerContribution, Project
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_project(**fields)


@pytest.mark.parametrize(
    "field", ["total_cost", "indh_contribution", "partner_contribution", "holder_contribution"]
)
def test_negative_amounts_are_refused(field):
    refused(**{field: Decimal("-1.00")})


def test_indh_share_cannot_exceed_total_cost():
    refused(total_cost=Decimal("1000"), indh_contribution=Decimal("1000.01"), partner_contribution=0,
            holder_contribution=0)  # fmt: skip


def test_shares_may_exceed_total_cost_by_one_dirham_of_rounding():
    project = make_project(
        total_cost=Decimal("1000.00"),
        indh_contribution=Decimal("500.00"),
        partner_contribution=Decimal("300.50"),
        holder_contribution=Decimal("200.50"),
    )
    assert project.shares_total == Decimal("1001.00")


def test_shares_exceeding_total_cost_by_more_than_one_dirham_are_refused():
    refused(
        total_cost=Decimal("1000.00"),
        indh_contribution=Decimal("500.00"),
        partner_contribution=Decimal("300.50"),
        holder_contribution=Decimal("200.51"),
    )


@pytest.mark.parametrize("year", [2004, 2101])
def test_year_outside_2005_2100_is_refused(year):
    refused(year=year)


@pytest.mark.parametrize("year", [2005, 2100])
def test_year_bounds_are_accepted(year):
    assert make_project(year=year).year == year


def test_project_code_is_unique():
    make_project(code="INDH-KHN-2024-001")
    refused(code="INDH-KHN-2024-001")


def test_unknown_status_is_refused():
    refused(status="abandoned")


def test_amounts_keep_exact_decimals():
    project = make_project(total_cost=Decimal("1250000.50"), indh_contribution=Decimal("0.10"))
    project.refresh_from_db()
    assert project.total_cost == Decimal("1250000.50")
    assert project.indh_contribution == Decimal("0.10")


def test_disbursements_cannot_exceed_indh_share():
    project = make_project(indh_contribution=Decimal("60000.00"))
    Disbursement.objects.create(project=project, released_on="2024-01-10", amount=Decimal("40000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(project=project, released_on="2024-06-10", amount=Decimal("20000.01"))
    Disbursement.objects.create(project=project, released_on="2024-06-10", amount=Decimal("20000.00"))


def test_lowering_indh_share_below_released_money_is_refused():
    project = make_project(indh_contribution=Decimal("60000.00"))
    Disbursement.objects.create(project=project, released_on="2024-01-10", amount=Decimal("50000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(indh_contribution=Decimal("49999.99"))


def test_disbursement_must_be_positive():
    project = make_project()
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(project=project, released_on="2024-01-10", amount=Decimal("0"))


def test_a_partner_appears_once_per_project():
    project = make_project()
    partner = Partner.objects.get(code="odco")
    PartnerContribution.objects.create(project=project, partner=partner, amount=Decimal("10000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerContribution.objects.create(project=project, partner=partner, amount=Decimal("10000"))


def test_partner_line_must_be_positive():
    project = make_project()
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerContribution.objects.create(
            project=project, partner=Partner.objects.get(code="odco"), amount=Decimal("0")
        )
