"""Filters of the public holder directory."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Commune, Holder, HolderType, Province, Sector


class HolderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name"), max_length=100)
    holder_type = django_filters.MultipleChoiceFilter(
        choices=HolderType.choices, label=_("Holder type"), widget=forms.CheckboxSelectMultiple
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        # django-filter compares field_name with the value's to_field_name: codes against codes.
        field_name="main_sector__code",
        queryset=Sector.objects.all(),
        to_field_name="code",
        label=_("Sector"),
        widget=forms.CheckboxSelectMultiple,
    )
    commune = django_filters.ModelMultipleChoiceFilter(
        field_name="commune__code",
        queryset=Commune.objects.all(),
        to_field_name="code",
        label=_("Commune"),
        widget=forms.CheckboxSelectMultiple,
    )
    province = django_filters.ModelMultipleChoiceFilter(
        field_name="commune__province__code",
        queryset=Province.objects.all(),
        to_field_name="code",
        label=_("Province"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Holder
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset
