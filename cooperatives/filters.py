"""Filters of the public holder directory."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Commune, Holder, HolderType, Province, Sector
from cooperatives.search import Fold, fold
from funding.filters import code_filter
from funding.models import Project, ProjectStatus

# Shorter words have no whole trigram: the title index could not narrow them down, and folding a
# million titles for each such search would take seconds. Names and communes are still searched.
TITLE_SEARCH_MIN_LENGTH = 3


def search_holders(queryset, words):
    """Holders whose name, commune (in any language) or a supported project's title contains
    ``words``, blind to case, accents and Arabic letter variants.

    Each place is its own index-served subquery, united, so none of them makes the others read
    every row: an OR across the joins would fold every title and name for each search.
    """
    words = words.strip()
    if not words:
        return queryset
    # Folded by the database, like the columns: the same function on both sides of LIKE.
    folded = Fold(Value(words))
    by_name = Holder.objects.alias(folded_name=Fold("name")).filter(folded_name__contains=folded)
    communes = Commune.objects.alias(fr=Fold("name_fr"), ar=Fold("name_ar"), en=Fold("name_en")).filter(
        Q(fr__contains=folded) | Q(ar__contains=folded) | Q(en__contains=folded)
    )
    found = Q(pk__in=by_name.values("pk")) | Q(commune__in=communes.values("pk"))
    if len(fold(words)) >= TITLE_SEARCH_MIN_LENGTH:
        # As everywhere in public, a cancelled project is not support: its title finds nothing.
        titled = (
            Project.objects.exclude(status=ProjectStatus.CANCELLED)
            .alias(folded_title=Fold("title"))
            .filter(folded_title__contains=folded)
        )
        found |= Q(pk__in=titled.values("holder_id"))
    return queryset.filter(found)


class HolderFilterForm(forms.Form):
    def listed_choices(self, name, queryset, ticked):
        """The sector list offers the main sectors of the holders the directory shows (funding.filters)."""
        if name == "sector":
            in_use = Exists(Holder.objects.filter(main_sector=OuterRef("pk"), projects__isnull=False))
            return queryset.filter(in_use | Q(code__in=ticked))
        return queryset


class HolderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("Name, commune or project"),
        max_length=100,
    )
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
        return search_holders(queryset, value)
