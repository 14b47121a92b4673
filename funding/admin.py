from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Holder
from funding import quality, services
from funding.admin_import import (
    ProjectImportExportMixin,
    batch_count_columns,
    batch_count_rows,
    reads_whole_batch,
)
from funding.admin_scale import CommuneListFilter, IndexedSearchMixin, ProjectYearListFilter
from funding.models import Disbursement, ImportBatch, Partner, PartnerContribution, Programme, Project
from indh_site.admin_dates import DateFormatHintMixin
from indh_site.admin_history import HISTORY_TYPES, AuditedHistoryAdmin, annotate_records
from indh_site.money import format_mad, format_number, isolate, join_items
from indh_site.paginators import EstimatedCountPaginator
from indh_site.roles import STATUS_REFUSED_MESSAGE, VALIDATE_PERMISSION, VALIDATED_STATUSES, may_set_status
from indh_site.scoping import ALL, ProvinceScopedAdminMixin, provinces_for, scope


class OrderedReferenceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_ar", "name_en", "ordering"]
    list_editable = ["ordering"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]


@admin.register(Programme)
class ProgrammeAdmin(OrderedReferenceAdmin):
    list_display = [*OrderedReferenceAdmin.list_display, "max_indh_share", "max_indh_amount"]
    fieldsets = [
        (None, {"fields": ["code", "name_fr", "name_ar", "name_en", "ordering"]}),
        (
            _("Programme rules"),
            {
                "fields": ["max_indh_share", "max_indh_amount"],
                "description": _(
                    "Projects beyond these rules are still saved; they are listed on the data-quality page "
                    "and warned about at import. Leave a rule empty to set none."
                ),
            },
        ),
    ]


@admin.register(Partner)
class PartnerAdmin(OrderedReferenceAdmin):
    pass


class PartnerLinesFormSet(forms.BaseInlineFormSet):
    """When the partners' share is detailed, the lines must add up to it."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        amounts = [
            form.cleaned_data["amount"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("amount")
        ]
        if not amounts:
            return
        expected = self.instance.partner_contribution or Decimal("0")
        if sum(amounts) != expected:
            raise forms.ValidationError(
                _(
                    "The partner lines add up to %(lines)s but the partners' contribution is %(share)s: "
                    "correct a line or the partners' contribution."
                )
                % {"lines": format_mad(sum(amounts)), "share": format_mad(expected)}
            )


class DisbursementFormSet(forms.BaseInlineFormSet):
    """Released INDH money never exceeds INDH's share (the database refuses it too)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        released = sum(
            (
                form.cleaned_data["amount"]
                for form in self.forms
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and form.cleaned_data.get("amount")
            ),
            Decimal("0"),
        )
        share = self.instance.indh_contribution or Decimal("0")
        if released > share:
            raise forms.ValidationError(
                _(
                    "The disbursements add up to %(released)s, more than INDH's contribution of %(share)s: "
                    "lower a disbursement or correct INDH's contribution."
                )
                % {"released": format_mad(released), "share": format_mad(share)}
            )


class ProjectAdminForm(forms.ModelForm):
    """A data-entry officer cannot approve, complete or cancel a project: that is a validator's decision.

    The choice list leaves those statuses out for them (except the one the project already has), and a
    posted value is refused with a message that says who can do it. The status "before" is always the
    saved project's, also when the form is a revert filled in with an older version's values.
    """

    may_validate = True  # set per request by ProjectAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status_before = self.instance.status if self.instance.pk else None
        field = self.fields.get("status")
        if field is not None and not self.may_validate:
            # Only the widget's list shrinks: the field still knows every status, so a hostile POST reaches
            # clean_status and gets the explanation rather than a bare "not a valid choice". A revert's
            # older status stays in the list, shown as it was, so saving it explains the refusal instead
            # of silently picking another status.
            shown = {self.status_before, self.initial.get("status")}
            field.widget.choices = [
                (value, label)
                for value, label in field.choices
                if value not in VALIDATED_STATUSES or value in shown
            ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if not self.may_validate and not may_set_status(None, status, self.status_before):
            raise forms.ValidationError(STATUS_REFUSED_MESSAGE, code="needs_validator")
        return status


class PartnerContributionInline(ProvinceScopedAdminMixin, admin.TabularInline):
    model = PartnerContribution
    formset = PartnerLinesFormSet
    extra = 0
    autocomplete_fields = ["partner"]
    province_lookup = "project__commune__province"


class DisbursementInline(DateFormatHintMixin, ProvinceScopedAdminMixin, admin.TabularInline):
    model = Disbursement
    formset = DisbursementFormSet
    extra = 0
    province_lookup = "project__commune__province"


@admin.register(Project)
class ProjectAdmin(
    DateFormatHintMixin,
    IndexedSearchMixin,
    ProjectImportExportMixin,
    ProvinceScopedAdminMixin,
    AuditedHistoryAdmin,
):
    form = ProjectAdminForm
    # National scale (bench/README.md): no COUNT(*) of a million rows per page, searches and
    # filters served by indexes and the aggregate tables. Same rows and URL parameters.
    paginator = EstimatedCountPaginator
    list_display = [
        "code",
        "title",
        "holder",
        "sector",
        "commune",
        "year",
        "status",
        "total_cost_display",
        "indh_contribution_display",
    ]
    list_filter = [
        ProjectYearListFilter,
        "status",
        "sector",
        "programme",
        "holder__holder_type",
        "commune__province",
        ("commune", CommuneListFilter),
    ]
    list_select_related = ["holder", "sector", "commune", "programme"]
    search_fields = ["code", "title", "holder__name", "=holder__registration_number"]
    autocomplete_fields = ["holder", "commune"]
    inlines = [PartnerContributionInline, DisbursementInline]
    readonly_fields = ["created_at", "updated_at"]
    # The full, unfiltered count is a second COUNT(*) per page: skip it on large tables.
    show_full_result_count = False
    list_per_page = 50
    date_hierarchy = None
    fieldsets = [
        (None, {"fields": ["code", "title", "holder", "status"]}),
        (_("Where and what"), {"fields": ["sector", "commune", "programme", "year", "jobs_created"]}),
        (
            _("Funding (MAD)"),
            {
                "fields": ["total_cost", "indh_contribution", "partner_contribution", "holder_contribution"],
                "description": _(
                    "INDH's contribution cannot exceed the total cost, and the three contributions together "
                    "cannot exceed it by more than 1 MAD."
                ),
            },
        ),
        (_("Partnership agreement"), {"fields": ["agreement_number", "agreement_signed_on"]}),
        (_("Internal"), {"fields": ["private_notes", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("total cost"), ordering="total_cost")
    def total_cost_display(self, project):
        return format_mad(project.total_cost)

    @admin.display(description=_("INDH contribution"), ordering="indh_contribution")
    def indh_contribution_display(self, project):
        return format_mad(project.indh_contribution)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.may_validate = request.user.has_perm(VALIDATE_PERMISSION)
        return form

    # --- history: the project's own changes, then its partner lines' and disbursements' ------------
    def history_context(self, request, object_id):
        return {"line_records": self._line_records(object_id)}

    def _line_records(self, project_id):
        records = []
        for model in (PartnerContribution, Disbursement):
            found = list(
                model.history.filter(project_id=project_id).select_related("history_user", "import_batch")
            )
            for record in found:
                record.row_label = f"{model._meta.verbose_name}: {record.instance}"
            records.extend(found)
        records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
        return annotate_records(records)

    # --- data quality ---------------------------------------------------------------------------
    def get_urls(self):
        own = [
            path(
                "data-quality/",
                self.admin_site.admin_view(self.data_quality_view),
                name="funding_project_data_quality",
            )
        ]
        return own + super().get_urls()

    def data_quality_view(self, request):
        holder_admin = self.admin_site._registry.get(Holder)
        may_see_projects = self.has_view_or_change_permission(request)
        may_see_holders = holder_admin is not None and holder_admin.has_view_or_change_permission(request)
        if not (may_see_projects or may_see_holders):
            raise PermissionDenied
        projects = scope(Project.objects.select_related("commune"), request.user, "commune__province")
        holders = scope(Holder.objects.select_related("commune"), request.user, "commune__province")
        sections = []
        if may_see_projects:
            sections += [
                _project_section(
                    "shares",
                    _("Shares that do not add up to the total cost"),
                    _("INDH, partners' and holder's contributions together differ from the total cost."),
                    quality.shares_not_adding_up(projects),
                    lambda p: gettext("gap: %(amount)s") % {"amount": format_mad(p.gap)},
                ),
                _project_section(
                    "partner-lines",
                    _("Partner lines that do not add up to the partners' share"),
                    _("The detailed partner lines differ from the partners' contribution."),
                    quality.partner_lines_not_matching(projects),
                    lambda p: (
                        gettext("lines: %(lines)s, partners' share: %(share)s")
                        % {"lines": format_mad(p.lines_total), "share": format_mad(p.partner_contribution)}
                    ),
                ),
                _project_section(
                    "agreement-date",
                    _("Approved or later projects without an agreement date"),
                    _("An approved, in-progress or completed project should have its agreement date."),
                    quality.missing_agreement_date(projects),
                    lambda p: p.get_status_display(),
                ),
                _project_section(
                    "over-disbursed",
                    _("Disbursements above INDH's share"),
                    _("More INDH money was released than INDH's contribution (data from before the check)."),
                    quality.disbursed_above_indh_share(projects),
                    _disbursed_detail,
                ),
                _project_section(
                    "under-disbursed",
                    _("Completed projects not fully disbursed"),
                    _("A warning: a completed project released less than INDH's contribution."),
                    quality.completed_not_fully_disbursed(projects),
                    _disbursed_detail,
                ),
                _project_section(
                    "programme-rules",
                    _("Projects beyond their programme's rules"),
                    _("INDH's share or amount goes beyond the maximum set on the project's programme."),
                    quality.beyond_programme_rules(projects),
                    _programme_rules_detail,
                ),
            ]
        if may_see_holders:
            sections.append(
                _section(
                    "no-registration",
                    _("Holders without a registration number"),
                    _("Without it, imports can only match the holder by name and commune."),
                    quality.holders_without_registration_number(holders),
                    "cooperatives_holder_change",
                    lambda h: str(h.commune),
                )
            )
            groups = quality.likely_duplicate_holders(holders)
            sections.append(
                {
                    "key": "duplicates",
                    "title": _("Likely duplicate holders"),
                    "help": _(
                        "Same province and type, and the same registration number or the same name once "
                        "case, accents, punctuation and legal form are set aside."
                    ),
                    "link": reverse("admin:cooperatives_holder_duplicates"),
                    "count": len(groups),
                    "groups": [
                        [(h, reverse("admin:cooperatives_holder_change", args=[h.pk])) for h in group]
                        for group in groups[:SECTION_LIMIT]
                    ],
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Data quality"),
            "sections": sections,
            "limit": SECTION_LIMIT,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/data_quality.html", context)


SECTION_LIMIT = 200


def _section(key, title, help_text, queryset, url_name, detail):
    rows = list(queryset[:SECTION_LIMIT])
    return {
        "key": key,
        "title": title,
        "help": help_text,
        "count": len(rows) if len(rows) < SECTION_LIMIT else queryset.count(),
        "rows": [(obj, reverse(f"admin:{url_name}", args=[obj.pk]), detail(obj)) for obj in rows],
    }


def _project_section(key, title, help_text, queryset, detail):
    return _section(key, title, help_text, queryset, "funding_project_change", detail)


def _disbursed_detail(project):
    return gettext("disbursed: %(disbursed)s, INDH's share: %(share)s") % {
        "disbursed": format_mad(project.disbursed),
        "share": format_mad(project.indh_contribution),
    }


def _programme_rules_detail(project):
    """The rules the project goes beyond, with its figures: the share, the amount or both."""
    programme, indh, total = project.programme, project.indh_contribution, project.total_cost
    parts = []
    if quality.beyond_programme_rule(indh, total, programme.max_indh_share, None):
        parts.append(
            gettext("INDH share: %(share)s (at most %(max)s)")
            % {"share": _percent(quality.indh_share(project)), "max": _percent(programme.max_indh_share)}
        )
    if quality.beyond_programme_rule(indh, total, None, programme.max_indh_amount):
        parts.append(
            gettext("INDH: %(amount)s (at most %(max)s)")
            % {"amount": format_mad(indh), "max": format_mad(programme.max_indh_amount)}
        )
    rules = join_items(parts)
    return gettext("%(programme)s: %(rules)s") % {"programme": isolate(programme.code), "rules": rules}


def _percent(value):
    return gettext("%(percent)s%%") % {"percent": format_number(value, 2)}


# The historical tables an import writes to, and how each reaches its province.
IMPORTED_HISTORIES = [
    (Holder, "commune__province", "cooperatives_holder_history"),
    (Project, "commune__province", "funding_project_history"),
    (PartnerContribution, "project__commune__province", None),
    (Disbursement, "project__commune__province", None),
]
TOUCHED_ROWS_LIMIT = 500


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only record of every import; its page lists the rows the import created, changed or deleted."""

    # The counts follow, as the account may read them (get_list_display, the page's template).
    list_display = ["created_at", "kind", "file_name", "user"]
    fields = ["kind", "file_name", "user"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["file_name", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # An audit record: nobody erases it from the admin.
        return False

    def get_queryset(self, request):
        """An official sees the imports they ran and those that touched their provinces."""
        queryset = super().get_queryset(request)
        if provinces_for(request.user) is ALL:
            return queryset
        visible = Q(user=request.user)
        for model, lookup, _url in IMPORTED_HISTORIES[:2]:
            touched = scope(model.history.filter(import_batch__isnull=False), request.user, lookup)
            visible |= Q(pk__in=touched.values("import_batch_id"))
        return queryset.filter(visible)

    def get_list_display(self, request):
        return [*self.list_display, *batch_count_columns(request.user)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, unquote(object_id))
        if batch is not None:
            rows, total = touched_rows(batch, request.user)
            counts = batch_count_rows(batch, request.user)
            extra_context = {
                **(extra_context or {}),
                "touched_rows": rows,
                "touched_more": total - len(rows),
                "batch_counts": counts,
                "counts_partial": any(value is None for _label, value in counts),
                # The totals line sums every row of the file: only for whoever may read the whole batch.
                "total_line_notes": services.total_line_messages(batch.warnings.get("total_line"))
                if reads_whole_batch(batch, request.user)
                else [],
            }
        return super().change_view(request, object_id, form_url, extra_context)


def touched_rows(batch, user):
    """The historical records an import wrote, within the user's provinces: (first rows, total count)."""
    rows = []
    total = 0
    for model, lookup, url_name in IMPORTED_HISTORIES:
        records = scope(model.history.filter(import_batch=batch), user, lookup)
        total += records.count()
        for record in records.order_by("history_date", "history_id")[: TOUCHED_ROWS_LIMIT - len(rows)]:
            if url_name:
                url = reverse(f"admin:{url_name}", args=[record.id])
            else:
                url = reverse("admin:funding_project_history", args=[record.project_id])
            rows.append(
                {
                    "kind": model._meta.verbose_name,
                    "action": HISTORY_TYPES[record.history_type],
                    "url": url,
                    "label": str(record.instance),
                }
            )
    return rows, total
