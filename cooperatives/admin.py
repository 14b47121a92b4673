from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Commune, Holder, Province, ProvinceAssignment, Region, Sector
from funding.admin_import import HolderImportExportMixin
from indh_site.admin_dates import DateFormatHintMixin
from indh_site.admin_history import AuditedHistoryAdmin
from indh_site.scoping import ProvinceScopedAdminMixin, scope

admin.site.site_header = _("INDH Khénifra — data entry")
admin.site.site_title = _("INDH Khénifra")
admin.site.index_title = _("Holders, projects and funding")


class ReferenceAdmin(admin.ModelAdmin):
    """Reference tables are small: list everything, search by code or any name."""

    def get_readonly_fields(self, request, obj=None):
        # The census's own figures and names come from HCP (load_territory): officials correct the
        # names shown, never the published ones, so a reload can tell a correction from an update.
        census = [
            name
            for name in ("hcp_code", "official_name_fr", "official_name_ar", "population_2024",
                         "unemployment_rate", "illiteracy_rate", "activity_rate")
            if any(field.name == name for field in self.model._meta.fields)
        ]  # fmt: skip
        return [*super().get_readonly_fields(request, obj), *census]

    list_display = ["code", "name_fr", "name_ar", "name_en"]
    search_fields = ["code", "name_fr", "name_ar", "name_en"]

    def get_ordering(self, request):
        # In the official's language; Django's list filters, choices and autocompletes on these tables
        # ask this admin for their order too.
        return self.model.label_ordering()


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    pass


@admin.register(Province)
class ProvinceAdmin(ReferenceAdmin):
    list_display = ["code", "name_fr", "name_ar", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]


@admin.register(Commune)
class CommuneAdmin(ReferenceAdmin):
    list_display = ["code", "name_fr", "name_ar", "kind", "province"]
    list_filter = ["kind", "province"]
    list_select_related = ["province"]

    def get_search_results(self, request, queryset, search_term):
        # The commune list itself is reference data, open to every official; but the autocomplete that
        # fills a holder's or project's commune offers only the communes of the official's provinces.
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            queryset = scope(queryset, request.user, "province")
        return super().get_search_results(request, queryset, search_term)


@admin.register(Sector)
class SectorAdmin(ReferenceAdmin):
    list_display = ["code", "name_fr", "name_ar", "name_en", "ordering"]
    list_editable = ["ordering"]


@admin.register(Holder)
class HolderAdmin(
    DateFormatHintMixin, HolderImportExportMixin, ProvinceScopedAdminMixin, AuditedHistoryAdmin
):
    list_display = ["name", "holder_type", "registration_number", "commune", "main_sector", "members_total"]
    list_filter = ["holder_type", "main_sector", "commune__province", "commune"]
    list_select_related = ["commune", "main_sector"]
    search_fields = ["name", "registration_number"]
    autocomplete_fields = ["commune"]
    # The full, unfiltered count is a second COUNT(*) per page: skip it on large tables.
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "holder_type",
                    "registration_number",
                    "commune",
                    "main_sector",
                    "created_on",
                ]
            },
        ),
        (_("Members"), {"fields": ["members_total", "members_women", "members_under_35"]}),
        (
            _("Private contact (never published)"),
            {"fields": ["phone", "email", "private_notes"], "classes": ["collapse"]},
        ),
    ]


class SuperuserOnlyMixin:
    """Giving an account a province is giving it access: only superusers do it."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ProvinceAssignment)
class ProvinceAssignmentAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "province"]
    list_filter = ["province"]
    list_select_related = ["user", "province"]
    autocomplete_fields = ["user", "province"]
    search_fields = ["user__username", "province__name_fr"]


class ProvinceAssignmentInline(SuperuserOnlyMixin, admin.TabularInline):
    model = ProvinceAssignment
    extra = 0
    autocomplete_fields = ["province"]
    verbose_name = _("province this account works on")
    verbose_name_plural = _("provinces this account works on")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(DateFormatHintMixin, UserAdmin):
    """Django's user admin, plus the provinces a staff account may see and change."""

    inlines = [ProvinceAssignmentInline]
