"""Data-quality checks: rows the database accepts but that are probably wrong or incomplete.

Each check takes a queryset (already limited to the official's provinces by the caller) and returns the
rows to look at, so the same checks serve the admin page and any later report.
"""

from decimal import ROUND_CEILING, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
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


HUNDRED = Decimal(100)


def beyond_programme_rule(indh_contribution, total_cost, max_share, max_amount):
    """Whether a project's INDH contribution goes beyond its programme's rules (None: no rule).

    The share is INDH's contribution / total cost × 100, compared exactly (Decimal); a project
    without a cost has no share.
    """
    if max_amount is not None and indh_contribution > max_amount:
        return True
    return max_share is not None and total_cost > 0 and indh_contribution * HUNDRED > max_share * total_cost


def beyond_programme_rules(projects):
    """Projects whose INDH contribution goes beyond their programme's maximum share (percent of the
    total cost) or maximum amount per project; `indh_share` is their INDH share in percent (None
    without a cost). Compared in the database as beyond_programme_rule() does (exact on PostgreSQL)."""
    money = DecimalField(**MONEY)
    over_amount = Q(programme__max_indh_amount__isnull=False) & Q(
        indh_contribution__gt=F("programme__max_indh_amount")
    )
    over_share = (
        Q(programme__max_indh_share__isnull=False)
        & Q(total_cost__gt=0)
        & Q(
            indh_times_hundred__gt=ExpressionWrapper(
                F("programme__max_indh_share") * F("total_cost"), output_field=DecimalField()
            )
        )
    )
    return (
        projects.filter(
            Q(programme__max_indh_share__isnull=False) | Q(programme__max_indh_amount__isnull=False)
        )
        .alias(indh_times_hundred=ExpressionWrapper(F("indh_contribution") * HUNDRED, output_field=money))
        .filter(over_amount | over_share)
        .select_related("programme")
        .order_by("-year", "code")
    )


def indh_share(project):
    """INDH's contribution in percent of the project's total cost, two decimals (None without a cost).

    Rounded up: a share of 50.004 % beyond a maximum of 50 % reads 50,01 %, never "50,00 % (at most 50,00 %)".
    """
    if not project.total_cost:
        return None
    return (project.indh_contribution * HUNDRED / project.total_cost).quantize(
        Decimal("0.01"), rounding=ROUND_CEILING
    )


def holders_without_registration_number(holders):
    """Holders whose registration number is not recorded: imports can only match them by name."""
    return holders.filter(registration_number__isnull=True).order_by("name")


def likely_duplicate_holders(holders):
    """Groups (lists) of probable duplicates among ``holders``: the admin's duplicates page decides
    them (cooperatives.duplicates), so both pages list the same groups."""
    return [group.holders for group in duplicate_groups(holders)]
