from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cooperatives.duplicates import duplicate_groups
from cooperatives.models import Commune, Holder, Province, ProvinceAssignment, Region, Sector
from cooperatives.services import MERGE_PERMISSION, merge_holders
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
    search_fields = ["name", "registration_number", "ice"]
    autocomplete_fields = ["commune"]
    readonly_fields = ["other_spellings"]
    # django-import-export's list with its buttons, plus the way to the probable duplicates.
    import_export_change_list_template = "admin/cooperatives/holder/change_list.html"
    # The full, unfiltered count is a second COUNT(*) per page: skip it on large tables.
    show_full_result_count = False
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "other_spellings",
                    "holder_type",
                    "registration_number",
                    "ice",
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

    @admin.display(description=_("other spellings (merged holders)"))
    def other_spellings(self, obj):
        names = [alias.name for alias in obj.aliases.all()] if obj is not None and obj.pk else []
        return gettext("; ").join(names) or "—"

    # --- Probable duplicates and their merge (cooperatives.duplicates, cooperatives.services) ---
    def get_urls(self):
        own = [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="cooperatives_holder_duplicates",
            ),
            path(
                "duplicates/merge/",
                self.admin_site.admin_view(require_POST(self.merge_view)),
                name="cooperatives_holder_merge",
            ),
        ]
        return own + super().get_urls()

    def duplicates_view(self, request):
        """The groups of probable duplicates among the holders of the account's provinces (or of one of
        them), the first DUPLICATE_GROUPS_LISTED of them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        holders = self.get_queryset(request)
        form = ProvinceChoiceForm(request.GET or None, user=request.user)
        if form.is_valid() and form.cleaned_data["province"] is not None:
            holders = holders.filter(province=form.cleaned_data["province"])
        groups = duplicate_groups(holders)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Probable duplicate holders"),
            "opts": self.opts,
            "form": form,
            "count": len(groups),
            "limit": DUPLICATE_GROUPS_LISTED,
            "groups": [
                (
                    group,
                    [(h, reverse("admin:cooperatives_holder_change", args=[h.pk])) for h in group.holders],
                )
                for group in groups[:DUPLICATE_GROUPS_LISTED]
            ],
            "may_merge": request.user.has_perm(MERGE_PERMISSION),
        }
        return TemplateResponse(request, "admin/cooperatives/duplicates.html", context)

    def merge_view(self, request):
        """Merge the holders ticked in one group of the duplicates page into the one chosen to stay.

        403 without the merge permission; 404 when a holder is not among the account's (another
        province's, or gone): the answer says nothing of holders the account may not see.
        """
        if not request.user.has_perm(MERGE_PERMISSION):
            raise PermissionDenied
        back = reverse("admin:cooperatives_holder_duplicates")
        try:
            keep_id = int(request.POST.get("keep", ""))
            absorbed_ids = {int(value) for value in request.POST.getlist("absorb")} - {keep_id}
        except ValueError:
            messages.error(request, gettext("Choose the holder that stays and at least one other."))
            return redirect(back)
        if not absorbed_ids:
            messages.error(request, gettext("Choose the holder that stays and at least one other."))
            return redirect(back)
        holders = self.get_queryset(request).in_bulk([keep_id, *absorbed_ids])
        if len(holders) != len(absorbed_ids) + 1:
            raise Http404
        try:
            keep = merge_holders(
                keep=holders[keep_id], absorbed=[holders[pk] for pk in absorbed_ids], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        messages.success(
            request,
            ngettext(
                "%(count)d holder merged into %(name)s.",
                "%(count)d holders merged into %(name)s.",
                len(absorbed_ids),
            )
            % {"count": len(absorbed_ids), "name": f"\u2068{keep.name}\u2069"},
        )
        return redirect(back)


# The duplicates page lists this many groups at most (a national account filters by province).
DUPLICATE_GROUPS_LISTED = 100


class ProvinceChoiceForm(forms.Form):
    """The duplicates page's province filter: one of the account's provinces, or all of them."""

    province = forms.ModelChoiceField(queryset=Province.objects.none(), required=False, label=_("province"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = scope(Province.objects.all(), user, "pk").order_by(
            *Province.label_ordering()
        )


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
