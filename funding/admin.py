from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from funding.admin_import import ProjectImportExportMixin
from funding.models import Disbursement, ImportBatch, Partner, PartnerContribution, Programme, Project
from indh_site.money import format_mad


class OrderedReferenceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_ar", "name_en", "ordering"]
    list_editable = ["ordering"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]


@admin.register(Programme)
class ProgrammeAdmin(OrderedReferenceAdmin):
    pass


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
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("amount")
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


class PartnerContributionInline(admin.TabularInline):
    model = PartnerContribution
    formset = PartnerLinesFormSet
    extra = 0
    autocomplete_fields = ["partner"]


class DisbursementInline(admin.TabularInline):
    model = Disbursement
    formset = DisbursementFormSet
    extra = 0


@admin.register(Project)
class ProjectAdmin(ProjectImportExportMixin, admin.ModelAdmin):
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
        "year",
        "status",
        "sector",
        "programme",
        "holder__holder_type",
        "commune__province",
        "commune",
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


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "file_name", "user", "created", "updated", "unchanged", "skipped"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["file_name", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
