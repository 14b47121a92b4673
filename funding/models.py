"""Programmes, partners, projects and the money behind them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cooperatives.models import Commune, Holder, Sector
from indh_site.audit import AuditedChange
from indh_site.labels import MultilingualName

MONEY = {"max_digits": 14, "decimal_places": 2}
# The three shares may exceed the total cost by rounding only.
SHARES_TOLERANCE = Decimal("1.00")
FIRST_YEAR, LAST_YEAR = 2005, 2100


def money_field(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(0)], **kwargs
    )


MAX_SHARE_MESSAGE = _("The maximum INDH share is a percentage from 0 to 100.")
MAX_AMOUNT_MESSAGE = _("The maximum INDH amount per project cannot be negative.")


class Programme(MultilingualName):
    """An INDH phase III programme (P1–P4)."""

    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    # The programme's rules (empty: no rule). A project beyond them is saved, listed on the
    # data-quality page and warned about at import: the official decides.
    max_indh_share = models.DecimalField(
        _("maximum INDH share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, MAX_SHARE_MESSAGE), MaxValueValidator(100, MAX_SHARE_MESSAGE)],
        help_text=_("INDH's contribution as a percentage of a project's total cost; empty: no rule."),
    )
    max_indh_amount = models.DecimalField(
        _("maximum INDH amount per project (MAD)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, MAX_AMOUNT_MESSAGE)],
        help_text=_("INDH's contribution to one project; empty: no rule."),
    )

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_indh_share__isnull=True) | Q(max_indh_share__gte=0, max_indh_share__lte=100),
                name="funding_programme_max_share_percent",
                violation_error_message=MAX_SHARE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(max_indh_amount__isnull=True) | Q(max_indh_amount__gte=0),
                name="funding_programme_max_amount_not_negative",
                violation_error_message=MAX_AMOUNT_MESSAGE,
            ),
        ]

    @property
    def has_rules(self):
        return self.max_indh_share is not None or self.max_indh_amount is not None


class Partner(MultilingualName):
    """A co-funder: the provincial council, a commune, a ministry, ODCo, a bank…"""

    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")


class ProjectStatus(models.TextChoices):
    PROGRAMMED = "programmed", _("Programmed")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ProjectQuerySet(models.QuerySet):
    def with_related(self):
        """Everything a list row shows, in one query."""
        return self.select_related("holder", "sector", "commune__province", "programme")

    def summary(self, filters=None, *, lang=None):
        """The public figures for ``filters``, shaped like /api/v1/summary (open-data-api.md).

        ``filters``: cleaned data of funding.filters.ProjectFilter, or a dict of codes such as
        ``{"year": 2025, "sector": ["agriculture"]}``; cancelled projects are left out unless
        ``status`` names them. Returns ``{"filters", "totals", "by_sector", "by_year",
        "by_sector_year", "by_commune", "by_programme", "by_status"}`` with Decimal amounts and
        labels in ``lang`` (default: the active language). A fixed number of queries, cached
        per filter set; see funding/queries.py.
        """
        from funding import queries  # the query layer imports this module

        return queries.summary(filters, lang=lang, queryset=self)


class Project(models.Model):
    code = models.CharField(_("project code"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=300)
    holder = models.ForeignKey(
        Holder, on_delete=models.PROTECT, related_name="projects", verbose_name=_("holder")
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("sector"),
        # The index (sector, year) below serves lookups by sector too: one index less to keep up
        # on every insert (an import of 10⁵ rows).
        db_index=False,
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("commune"),
        # The index (commune, year) below serves lookups by commune too: one index less to keep up
        # on every insert (an import of 10⁵ rows).
        db_index=False,
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("programme"),
        # The index (programme, year) below serves lookups by programme too: one index less to keep up
        # on every insert (an import of 10⁵ rows).
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(
        _("programming year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROGRAMMED
    )
    total_cost = money_field(_("total cost (MAD)"))
    indh_contribution = money_field(_("INDH contribution (MAD)"))
    partner_contribution = money_field(_("partners' contribution (MAD)"))
    holder_contribution = money_field(_("holder's contribution (MAD)"))
    jobs_created = models.PositiveIntegerField(_("jobs created"), default=0)
    agreement_number = models.CharField(_("agreement number"), max_length=100, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    private_notes = models.TextField(_("private notes"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProjectQuerySet.as_manager()
    # The historical records are read by project (id), by import (import_batch) and by
    # province (commune, the import list of an official); an index on the other columns
    # would serve no query and slow every save, 10⁵ records at a time in an import.
    history = HistoricalRecords(bases=[AuditedChange], no_db_index=["code", "holder", "sector", "programme"])

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        # Import and export are rights of their own: viewing or changing does not imply them.
        permissions = [
            ("import_project", _("Can import projects workbooks")),
            ("export_project", _("Can export projects")),
            ("validate_project", _("Can set a project to approved, completed or cancelled")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost__gte=0)
                & Q(indh_contribution__gte=0)
                & Q(partner_contribution__gte=0)
                & Q(holder_contribution__gte=0),
                name="funding_project_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(indh_contribution__lte=F("total_cost")),
                name="funding_project_indh_within_total_cost",
                violation_error_message=_("INDH's contribution cannot exceed the project's total cost."),
            ),
            models.CheckConstraint(
                condition=Q(
                    total_cost__gte=F("indh_contribution")
                    + F("partner_contribution")
                    + F("holder_contribution")
                    - SHARES_TOLERANCE
                ),
                name="funding_project_shares_within_total_cost",
                violation_error_message=_(
                    "INDH, partners' and holder's contributions together exceed the total cost "
                    "by more than 1 MAD: lower a contribution or raise the total cost."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="funding_project_year_in_range",
                violation_error_message=_("The programming year must be between 2005 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="funding_project_status_valid"
            ),
        ]
        indexes = [
            # Dashboard and admin filter by year, and the by-year breakdown.
            models.Index(fields=["year", "status"], name="fund_proj_year_idx"),
            # Dashboard filter sector (+ year) and the sector × year breakdown.
            models.Index(fields=["sector", "year"], name="fund_proj_sector_year_idx"),
            # Dashboard filter commune / province (through the commune) and by-commune breakdown.
            models.Index(fields=["commune", "year"], name="fund_proj_commune_year_idx"),
            # Dashboard filter programme and by-programme breakdown.
            models.Index(fields=["programme", "year"], name="fund_proj_programme_idx"),
            # Admin list filter "status" and the default exclusion of cancelled projects.
            models.Index(fields=["status"], name="fund_proj_status_idx"),
            # queries.has_demo_projects(): the demo banner of every public page. Partial, so it
            # stays empty (and free to keep up) in a real installation.
            models.Index(fields=["is_demo"], condition=Q(is_demo=True), name="fund_proj_demo_idx"),
        ]

    def __str__(self):
        return f"{self.code} — {self.title}"

    @property
    def shares_total(self):
        return self.indh_contribution + self.partner_contribution + self.holder_contribution

    @property
    def funding_gap(self):
        """What the three shares leave uncovered (a data-quality warning, not an error)."""
        return self.total_cost - self.shares_total


class PartnerContribution(models.Model):
    """One partner's part of a project's partners' share."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="partner_lines", verbose_name=_("project")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("partner")
    )
    amount = models.DecimalField(_("amount (MAD)"), **MONEY, validators=[MinValueValidator(0)])
    # Read by project (the project's history page) and by import only.
    history = HistoricalRecords(bases=[AuditedChange], no_db_index=["partner"])

    class Meta:
        ordering = ["partner__ordering", "partner__code"]
        verbose_name = _("partner contribution")
        verbose_name_plural = _("partners' contributions in detail")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "partner"],
                name="funding_partner_line_once_per_project",
                violation_error_message=_("This partner already has a line on this project."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="funding_partner_line_amount_positive",
                violation_error_message=_("A partner's contribution must be more than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} — {self.amount}"


class Disbursement(models.Model):
    """A tranche of INDH money released to a project."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="disbursements", verbose_name=_("project")
    )
    released_on = models.DateField(_("released on"))
    amount = models.DecimalField(_("amount (MAD)"), **MONEY, validators=[MinValueValidator(0)])
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    history = HistoricalRecords(bases=[AuditedChange])

    class Meta:
        ordering = ["released_on", "pk"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="funding_disbursement_amount_positive",
                violation_error_message=_("A disbursement must be more than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.released_on} — {self.amount}"


class ImportBatch(models.Model):
    """One run of an import (admin or command line): who, which file, what it did."""

    class Kind(models.TextChoices):
        PROJECTS = "projects", _("projects workbook")
        HOLDERS = "holders", _("holders")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PROJECTS)
    file_name = models.CharField(_("file name"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    # The same counts per province ({"<province id>": {"created": n, "updated": n, "unchanged": n}}):
    # an official who sees only some of the batch's provinces is shown only theirs.
    province_counts = models.JSONField(_("counts per province"), default=dict, blank=True, editable=False)
    # What the import warned about, kept as data so that the batch's page words it in the reader's
    # language: {"total_line": workbook.check_totals()}.
    warnings = models.JSONField(_("warnings"), default=dict, blank=True, editable=False)
    # Holders a projects workbook created, and existing holders its rows named.
    holders_created = models.PositiveIntegerField(_("holders created"), default=0)
    holders_matched = models.PositiveIntegerField(_("holders matched"), default=0)
    # Projects beyond their programme's rules (maximum INDH share or amount), imported with a warning.
    beyond_programme_rules = models.PositiveIntegerField(
        _("projects beyond their programme's rules"), default=0
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class DataChange(models.Model):
    """When the public figures last changed: one row (pk 1), rewritten after every committed change.

    The data version (funding.queries.data_version) says *that* the data changed; the public pages'
    "last updated", the API's ``last_updated`` and the Last-Modified header need *when*. Written once
    a change is committed (funding.queries.invalidate_summary_cache), so no writer waits on this row
    while another's transaction is open; read once per data version (cached).
    """

    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("data change")
        verbose_name_plural = _("data changes")

    def __str__(self):
        return f"{self.changed_at:%Y-%m-%d %H:%M:%S}"


class ApiRequestCount(models.Model):
    """Requests one client address made to the open-data API in one minute (funding/ratelimit.py).

    Without Redis the count lives here, so every worker process of every app server adds to the same
    row; past minutes are deleted as new ones start.
    """

    client_address = models.CharField(max_length=100)
    minute = models.BigIntegerField(help_text="minutes since 1970-01-01 UTC")
    requests = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # The rate limit's upsert (INSERT … ON CONFLICT (minute, client_address)); with the minute
            # first, it also serves the purge of past minutes (DELETE … WHERE minute < %s).
            models.UniqueConstraint(fields=["minute", "client_address"], name="api_request_count_per_minute"),
        ]

    def __str__(self):
        return f"{self.client_address} @ {self.minute}: {self.requests}"
