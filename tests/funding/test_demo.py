"""`load_demo` reproduces every figure of the provincial review, and is idempotent."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from cooperatives.models import Holder, HolderType
from funding.models import Project

pytestmark = pytest.mark.django_db


def totals(queryset):
    return queryset.aggregate(n=Count("id"), cost=Sum("total_cost"), indh=Sum("indh_contribution"))


def test_demo_reproduces_the_published_figures(demo_data):
    all_projects = totals(Project.objects.all())
    assert all_projects == {"n": 99, "cost": Decimal("89420000.00"), "indh": Decimal("42210000.00")}

    cooperatives = Project.objects.filter(holder__holder_type=HolderType.COOPERATIVE)
    assert totals(cooperatives)["cost"] == Decimal("81700000.00")
    assert cooperatives.values("holder").distinct().count() == 71

    by_sector = dict(Project.objects.values_list("sector__code").annotate(n=Count("id")))
    assert by_sector == {"agriculture": 39, "handicrafts": 44, "tourism": 16}

    year_2025 = Project.objects.filter(year=2025)
    assert totals(year_2025) == {"n": 13, "cost": Decimal("2230000.00"), "indh": Decimal("2010000.00")}
    assert year_2025.filter(agreement_signed_on__year=2025).count() == 13

    assert Project.objects.values("holder").distinct().count() == 99
    assert Project.objects.filter(year__range=(2019, 2025)).count() == 99


def test_demo_projects_respect_every_funding_rule(demo_data):
    for project in Project.objects.prefetch_related("partner_lines", "disbursements"):
        assert project.shares_total <= project.total_cost
        lines = [line.amount for line in project.partner_lines.all()]
        if lines:
            assert sum(lines) == project.partner_contribution
        assert sum(d.amount for d in project.disbursements.all()) <= project.indh_contribution


def test_loading_the_demo_twice_changes_nothing(demo_data, capsys):
    before = list(Project.objects.order_by("code").values())
    history = Project.history.count()
    call_command("load_demo")
    assert "created 0, updated 0, unchanged 99" in capsys.readouterr().out
    assert list(Project.objects.order_by("code").values()) == before
    assert Project.history.count() == history
    assert Holder.objects.count() == 99


def test_demo_rows_are_marked_as_demo(demo_data):
    assert not Project.objects.filter(is_demo=False).exists()
    assert not Holder.objects.filter(is_demo=False).exists()
