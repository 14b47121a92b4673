"""Admin pieces for large tables (issue 6): a search through indexes and a cheap year filter.

To wire into funding/admin.py's ProjectAdmin (see bench/README.md, "Wiring"):

    class ProjectAdmin(IndexedSearchMixin, ProjectImportExportMixin, …):
        paginator = EstimatedCountPaginator          # indh_site.paginators
        list_filter = [ProjectYearListFilter, …, "commune__province", CommuneListFilter]
                                                     # instead of "year" and "commune"

They change the speed only: the same rows, the same URL parameters.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from funding import aggregates


class IndexedSearchMixin:
    """Admin search where every search field is looked up through its own index.

    Django's admin search ORs "contains" conditions over all search fields, across the join
    to the holder: PostgreSQL then reads every project, on every search. Here each field is
    its own subquery (served by the trigram indexes of migration 0007, or the B-tree index
    of an exact field), and the project ids they find are united: the same rows as Django's
    search (every word must match some field), found through indexes.
    """

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        if connection.vendor != "postgresql" or not fields or not search_term:
            return super().get_search_results(request, queryset, search_term)
        model = queryset.model
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            matching = [
                model._default_manager.filter(**{_lookup(field): bit}).order_by().values("pk")
                for field in fields
            ]
            queryset = queryset.filter(pk__in=matching[0].union(*matching[1:]))
        return queryset, False


def _lookup(field):
    """The lookup Django's admin search uses for a search_fields entry."""
    prefixes = {"^": "istartswith", "=": "iexact", "@": "search"}
    if field[:1] in prefixes:
        return f"{field[1:]}__{prefixes[field[:1]]}"
    return f"{field}__icontains"


class CommuneListFilter(admin.RelatedFieldListFilter):
    """The commune filter, listing the communes of the chosen province only.

    Nationally there are some 1,500 communes: Django's filter would render every one of them
    as a link on every page of the list. Until a province is chosen (or when a commune is),
    this one lists only what the official can use. Same parameter as Django's
    (?commune__id__exact=…). Use it for the "commune" field, next to "commune__province".
    """

    province_parameter = "commune__province__id__exact"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.province = request.GET.get(self.province_parameter)
        super().__init__(field, request, params, model, model_admin, field_path)

    def field_choices(self, field, request, model_admin):
        if self.province:
            limit = {"province__id": self.province}
        elif self.lookup_val:
            limit = {"pk__in": self.lookup_val}  # a commune chosen from elsewhere (a link, a bookmark)
        else:
            return []
        ordering = self.field_admin_ordering(field, request, model_admin)
        try:
            return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)
        except (ValueError, ValidationError):  # a hand-edited parameter: Django's own filter reports it
            return []


class ProjectYearListFilter(admin.SimpleListFilter):
    """The programming-year filter, its years read from the aggregate tables.

    Django's own filter for a field runs SELECT DISTINCT year over every project on every
    page of the list. Same parameter (?year=2024), same years: those with projects the
    official may see.
    """

    title = _("programming year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        from indh_site.scoping import ALL, provinces_for

        provinces = provinces_for(request.user)
        if aggregates.available():
            years = aggregates.project_years(province_ids=None if provinces is ALL else provinces)
        else:
            queryset = model_admin.get_queryset(request)
            years = queryset.order_by("year").values_list("year", flat=True).distinct()
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        try:
            return queryset.filter(year=int(value))
        except ValueError:
            return queryset.none()
