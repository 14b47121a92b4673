"""Data-quality checks: rows the database accepts but that are probably wrong or incomplete.

Each check takes a queryset (already limited to the official's provinces by the caller) and returns the
rows to look at, so the same checks serve the admin page and any later report.
"""

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cooperatives.duplicates import duplicate_groups
from funding.models import MONEY, Disbursement, PartnerContribution, ProjectStatus

ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))
# An agreement is signed before a project is approved: from then on its date should be known.
AGREEMENT_EXPECTED = [ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED]


def _sum_of(model, field="amount"):
    """Subquery: the total of `model.amount` for the outer project (0 when none)."""
    total = (
        model.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=DecimalField(**MONEY)), ZERO)


def shares_not_adding_up(projects):
    """Projects whose INDH, partners' and holder's shares differ from the total cost.

    `gap` is what the shares leave uncovered (negative: they exceed the cost, by at most 1 MAD, which the
    database allows for rounding).
    """
    return (
        projects.annotate(
            gap=F("total_cost")
            - F("indh_contribution")
            - F("partner_contribution")
            - F("holder_contribution")
        )
        .exclude(gap=0)
        .order_by("-year", "code")
    )


def partner_lines_not_matching(projects):
    """Projects whose partner lines exist but do not add up to the partners' share (`lines_total`)."""
    return (
        projects.filter(partner_lines__isnull=False)
        .distinct()
        .annotate(lines_total=_sum_of(PartnerContribution))
        .exclude(lines_total=F("partner_contribution"))
        .order_by("-year", "code")
    )


def missing_agreement_date(projects):
    """Approved, in-progress or completed projects whose agreement date is not recorded."""
    return projects.filter(status__in=AGREEMENT_EXPECTED, agreement_signed_on__isnull=True).order_by(
        "-year", "code"
    )


def disbursed_above_indh_share(projects):
    """Projects that released more INDH money (`disbursed`) than INDH's share.

    The database refuses this since the disbursement trigger exists; rows entered before it (or restored
    from an old backup) can still carry it.
    """
    return (
        projects.annotate(disbursed=_sum_of(Disbursement))
        .filter(disbursed__gt=F("indh_contribution"))
        .order_by("-year", "code")
    )


def completed_not_fully_disbursed(projects):
    """Completed projects that released less than INDH's share (`disbursed`): a warning, often a
    disbursement not yet recorded."""
    return (
        projects.filter(status=ProjectStatus.COMPLETED)
        .annotate(disbursed=_sum_of(Disbursement))
        .filter(disbursed__lt=F("indh_contribution"))
        .order_by("-year", "code")
    )


def holders_without_registration_number(holders):
    """Holders whose registration number is not recorded: imports can only match them by name."""
    return holders.filter(registration_number__isnull=True).order_by("name")


def likely_duplicate_holders(holders):
    """Groups (lists) of probable duplicates among ``holders``: the admin's duplicates page decides
    them (cooperatives.duplicates), so both pages list the same groups."""
    return [group.holders for group in duplicate_groups(holders)]
