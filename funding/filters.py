"""The public project filters of the dashboard and the open-data API (open-data-api.md).

The FilterSet validates the query string; the filtering itself is funding.queries'
filter_projects(), so the pages, the summary and the project list select the same rows.
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Commune, HolderType, Province, Sector
from funding import queries
from funding.models import FIRST_YEAR, LAST_YEAR, Programme, Project, ProjectStatus
from indh_site.labels import sort_key


class YearFilter(django_filters.NumberFilter):
    # A year is a whole number: "2025.5" is an error, not 2025.
    field_class = forms.IntegerField


class IdFilter(django_filters.NumberFilter):
    # A row's id: a whole number within the database's bigint ("5.0", "-1" or 2**70 are errors).
    field_class = forms.IntegerField


# The largest id a BigAutoField holds: a larger one would be an error of the database, not a 400.
MAX_ID = 2**63 - 1


class ProjectFilterForm(forms.Form):
    # Parameters that take one value: a repeated one would otherwise be silently cut to its last value.
    single_valued = (*queries.SINGLE_VALUED_FILTERS, *queries.ID_FILTERS, "lang")

    def listed_choices(self, name, queryset, ticked):
        """The rows the checkbox list ``name`` offers: for sectors and provinces, those that have projects.

        Any sector's code stays a valid filter (a shared link, the API): only the list is shorter, and
        what was ticked stays listed, so it can be unticked. The same one query as listing them all: a
        probe of the (sector, year) index per sector.
        """
        if name == "sector":
            in_use = Exists(Project.objects.filter(sector=OuterRef("pk")))
            return queryset.filter(in_use | Q(code__in=ticked))
        if name == "province":
            # The kingdom has 75 provinces and prefectures: list those this installation has projects in.
            in_use = Exists(Project.objects.filter(commune__province=OuterRef("pk")))
            return queryset.filter(in_use | Q(code__in=ticked))
        return queryset

    def clean(self):
        cleaned_data = super().clean()
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            for name in self.single_valued:
                if len(getlist(name)) > 1:
                    self.add_error(name, _("Give this parameter only once."))
        year_from, year_to = cleaned_data.get("year_from"), cleaned_data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("The last year cannot come before the first year."))
        return cleaned_data


def code_filter(queryset, label, field_name):
    """A filter on reference rows by their codes (``?sector=agriculture&sector=tourism``), as checkboxes."""
    return django_filters.ModelMultipleChoiceFilter(
        field_name=field_name,
        queryset=queryset,
        to_field_name="code",
        label=label,
        widget=forms.CheckboxSelectMultiple,
    )


class ProjectFilter(django_filters.FilterSet):
    """Every filter of the spec; all optional and combinable. Unknown codes are form errors."""

    year = YearFilter(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    year_from = YearFilter(label=_("From year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    year_to = YearFilter(label=_("To year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    sector = code_filter(Sector.objects.all(), _("Sector"), "sector__code")
    commune = code_filter(Commune.objects.all(), _("Commune"), "commune__code")
    province = code_filter(Province.objects.all(), _("Province"), "commune__province__code")
    programme = code_filter(Programme.objects.all(), _("Programme"), "programme__code")
    holder_type = django_filters.MultipleChoiceFilter(
        field_name="holder__holder_type",
        choices=HolderType.choices,
        label=_("Holder type"),
        widget=forms.CheckboxSelectMultiple,
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ProjectStatus.choices,
        label=_("Status"),
        help_text=_("Cancelled projects are left out unless you tick them."),
        widget=forms.CheckboxSelectMultiple,
    )
    # The projects of one holder (its public page offers them as CSV/XLSX). An unknown id selects
    # nothing rather than an error, so an answer never tells which ids exist.
    holder = IdFilter(label=_("Holder"), min_value=1, max_value=MAX_ID)
    # Not a filter: the language of the labels (API); validated like the rest.
    lang = django_filters.ChoiceFilter(choices=settings.LANGUAGES, label=_("Language"))

    class Meta:
        model = Project
        fields = []
        form = ProjectFilterForm

    def filter_queryset(self, queryset):
        return queries.filter_projects(self.form.cleaned_data, queryset=queryset)

    @property
    def filters_data(self):
        """The cleaned filters (call is_valid() first)."""
        return self.form.cleaned_data


# A province has a few dozen communes; a region or the country has hundreds or thousands. Above
# this many, the commune filter lists the communes of the chosen provinces only (or of the
# communes already chosen), instead of a list nobody could scroll through.
MAX_COMMUNES_LISTED = 60
# Provinces before communes: the commune list may depend on them.
CHOICE_FILTERS = ("sector", "province", "commune", "programme", "holder_type", "status")
# Listed by name in the reader's language (programmes, types and statuses keep their own order).
SORTED_BY_LABEL = ("sector", "province", "commune")


def choice_groups(form, names=CHOICE_FILTERS):
    """The checkbox lists of a (bound) ProjectFilterForm, as plain rows for the templates.

    Each group: ``name``, ``label``, ``help_text``, ``errors``, ``note``, and ``options`` as
    (value, label, checked). Django's widgets render each checkbox through a template of its
    own (about 2 ms apiece here): nationally, the commune list alone took seconds per page.
    What the visitor ticked stays ticked, valid or not. A form's ``listed_choices(name, queryset,
    ticked)`` may shorten a list of reference rows.
    """
    listed_choices = getattr(form, "listed_choices", None)
    groups = []
    for name in names:
        field = form.fields[name]
        ticked = _ticked(form, name)
        note = ""
        if name == "commune":
            options, note = _commune_options(form, field, ticked)
        elif listed_choices is not None and hasattr(field, "queryset"):
            rows = listed_choices(name, field.queryset, ticked)
            options = [(row.code, field.label_from_instance(row)) for row in rows]
        else:
            options = [(str(value), str(label)) for value, label in field.choices]
        if name in SORTED_BY_LABEL:
            options.sort(key=lambda option: sort_key(option[1], code=option[0]))
        groups.append(
            {
                "name": name,
                "label": field.label,
                "help_text": field.help_text,
                "errors": form.errors.get(name, []),
                "note": note,
                "options": [(value, label, value in ticked) for value, label in options],
            }
        )
    return groups


def _ticked(form, name):
    """The values the visitor sent for the checkbox list ``name``."""
    return set(form.data.getlist(name)) if hasattr(form.data, "getlist") else set()


def _commune_options(form, field, ticked):
    provinces = _ticked(form, "province")
    if provinces or ticked:
        # The chosen provinces' communes, and those of the chosen communes' provinces: all of them.
        chosen_provinces = Commune.objects.filter(code__in=ticked).values("province")
        communes = field.queryset.filter(Q(province__code__in=provinces) | Q(province__in=chosen_provinces))
        return [(commune.code, field.label_from_instance(commune)) for commune in communes], ""
    # Nothing chosen: of the kingdom's 1,503 communes, those with projects, unless they are too many.
    communes = field.queryset.filter(Exists(Project.objects.filter(commune=OuterRef("pk"))))
    if communes.count() > MAX_COMMUNES_LISTED:
        return [], _("Choose a province to list its communes.")
    return [(commune.code, field.label_from_instance(commune)) for commune in communes], ""
