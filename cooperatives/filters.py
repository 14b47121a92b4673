"""Filters of the public holder directory."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Commune, Holder, HolderType, Province, Sector
from funding.filters import code_filter


class HolderFilterForm(forms.Form):
    def listed_choices(self, name, queryset, ticked):
        """The sector list offers the main sectors of the holders the directory shows (funding.filters)."""
        if name == "sector":
            in_use = Exists(Holder.objects.filter(main_sector=OuterRef("pk"), projects__isnull=False))
            return queryset.filter(in_use | Q(code__in=ticked))
        return queryset


class HolderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name"), max_length=100)
    holder_type = django_filters.MultipleChoiceFilter(
        choices=HolderType.choices, label=_("Holder type"), widget=forms.CheckboxSelectMultiple
    )
    # django-filter compares field_name with the value's to_field_name: codes against codes.
    sector = code_filter(Sector.objects.all(), _("Sector"), "main_sector__code")
    commune = code_filter(Commune.objects.all(), _("Commune"), "commune__code")
    province = code_filter(Province.objects.all(), _("Province"), "commune__province__code")

    class Meta:
        model = Holder
        fields = []
        form = HolderFilterForm

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset
