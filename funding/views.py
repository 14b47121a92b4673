"""The public dashboard: where INDH's money went, with no login.

All figures come from Project.objects.summary() (funding/queries.py), the same layer as
/api/v1/summary, so the page and the API always agree.
"""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.views.decorators.http import require_safe

from cooperatives.models import HolderType
from funding import charts, queries
from funding.filters import ProjectFilter, choice_groups
from funding.models import Project
from funding.review import cooperative_figures
from indh_site.money import format_mdh, format_number
from indh_site.public_cache import cached_public_answer

DEFAULT_MEASURE = "total_cost"
# More communes than this and the chart keeps the largest, folding the rest into one bar.
MAX_COMMUNE_BARS = 25


class DashboardOptionsForm(forms.Form):
    """How the page shows the figures (not which projects): what the bars measure."""

    measure = forms.ChoiceField(
        label=gettext_lazy("Bars show"),
        required=False,
        choices=[
            ("total_cost", gettext_lazy("Total cost")),
            ("indh_contribution", pgettext_lazy("public figure", "INDH contribution")),
            ("projects", gettext_lazy("Number of projects")),
        ],
    )


def requested_language(request):
    """The ``lang`` of the query string when it is one of ours (the API's labels and messages).

    Public pages have their language in the address instead (indh_site/language.py).
    """
    lang = request.GET.get("lang", "")
    return lang if lang in dict(settings.LANGUAGES) else None


@require_safe
@cached_public_answer()
def dashboard(request):
    filterset = ProjectFilter(request.GET, queryset=Project.objects.all())
    options = DashboardOptionsForm(request.GET)
    # Both forms are validated, so every mistake is reported at once.
    filters_valid = filterset.is_valid()
    options_valid = options.is_valid()
    context = {
        "form": filterset.form,
        "year_fields": [filterset.form[name] for name in queries.SINGLE_VALUED_FILTERS],
        "choice_groups": choice_groups(filterset.form),
        "errors": form_errors(filterset.form) + form_errors(options),
    }
    if not (filters_valid and options_valid):
        return render(request, "funding/dashboard.html", context, status=400)

    lang = queries.resolve_language()
    measure = options.cleaned_data["measure"] or DEFAULT_MEASURE
    cleaned = filterset.form.cleaned_data
    summary = Project.objects.summary(cleaned, lang=lang)
    params = request.GET
    rtl = translation.get_language_bidi()
    context.update(
        {
            "summary": summary,
            "measure": measure,
            "default_measure": DEFAULT_MEASURE,
            "measure_links": _measure_links(options, params, measure),
            "figures": _figures(summary["totals"], cooperative_figures(cleaned, lang=lang), params),
            "active_filters": _active_filters(filterset.form, params),
            "sections": _sections(summary, params, measure=measure, rtl=rtl),
            "heat": _heat(summary, params, measure=measure),
            "downloads": _downloads(params, lang),
        }
    )
    return render(request, "funding/dashboard.html", context)


def form_errors(form):
    """(label, message) of every error of a bound form, for the pages' error summary."""
    errors = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        errors.extend((str(label), str(message)) for message in messages)
    return errors


def _figures(totals, cooperatives, params):
    """(label, value, link to the projects behind it or None) of each headline figure."""
    everything = (_register(params), totals["projects"], False)
    # The cooperatives' figures count the projects of cooperatives only (none when the filters exclude them).
    types = params.getlist("holder_type") if hasattr(params, "getlist") else []
    of_cooperatives = (
        _register(params, holder_type=HolderType.COOPERATIVE),
        cooperatives["cooperative_projects"] if not types or HolderType.COOPERATIVE in types else 0,
        True,
    )
    figures = [
        (_("Projects"), format_number(totals["projects"], 0), everything),
        (_("Cooperatives supported"), format_number(totals["cooperatives"], 0), of_cooperatives),
        (_("Holders"), format_number(totals["holders"], 0), everything),
        (_("Total cost"), format_mdh(totals["total_cost"]), everything),
        # The report's "81.70 million dirhams": what the cooperatives' projects cost, not what they received.
        (
            _("Carried by cooperatives: total cost"),
            format_mdh(cooperatives["cooperative_cost"]),
            of_cooperatives,
        ),
        (pgettext("public figure", "INDH contribution"), format_mdh(totals["indh_contribution"]), everything),
        (_("Partners' contribution"), format_mdh(totals["partner_contribution"]), everything),
        (_("Holders' contribution"), format_mdh(totals["holder_contribution"]), everything),
        (_("Jobs created"), format_number(totals["jobs"], 0), everything),
    ]
    shown = []
    for index, (label, value, (href, count, cooperative)) in enumerate(figures):
        link = None
        if count:
            link = {
                "href": href,
                "name": _figure_link_name(value, count, alone=index == 0, cooperative=cooperative),
            }
        shown.append((label, value, link))
    return shown


def _register(params, **changes):
    """The register's address under the page's filters with ``changes`` (the measure is not a filter)."""
    query = charts.with_params(params, measure=None, **changes)
    return reverse("funding:project-list") + ("" if query == "?" else query)


def _figure_link_name(figure, count, *, alone, cooperative):
    """What a screen reader says of a headline figure's link: the figure and the projects it leads to."""
    number = format_number(count, 0)
    if alone:
        return ngettext("the %(count)s project", "the %(count)s projects", count) % {"count": number}
    if cooperative:
        text = ngettext(
            "%(figure)s: the %(count)s project carried by a cooperative",
            "%(figure)s: the %(count)s projects carried by cooperatives",
            count,
        )
    else:
        text = ngettext("%(figure)s: the %(count)s project", "%(figure)s: the %(count)s projects", count)
    return text % {"figure": figure, "count": number}


def _row_link(href, count, label):
    """The count of a breakdown's row as a link to its projects, named "the 39 projects of Agriculture"."""
    if href is None or not count:
        return None
    name = ngettext("the %(count)s project of %(label)s", "the %(count)s projects of %(label)s", count) % {
        "count": format_number(count, 0),
        "label": label,
    }
    return {"href": href, "name": name}


def _measure_links(options, params, current):
    return [
        {
            "label": label,
            "href": charts.with_params(params, measure=None if value == DEFAULT_MEASURE else value),
            "current": value == current,
        }
        for value, label in options.fields["measure"].choices
    ]


def _active_filters(form, params):
    """One removable chip per filter value in use, so people see (and can undo) what narrows the view."""
    chips = []
    for name in queries.FILTER_NAMES:
        value = form.cleaned_data.get(name)
        if value in (None, "", []) or (hasattr(value, "exists") and not value):
            continue
        label = form.fields[name].label
        if name in queries.ID_FILTERS:
            # A holder by its id: named only if a project shows it (the API lists those), so that no
            # address reveals the name of a holder the public pages never show.
            holder = Project.objects.filter(holder_id=value).values_list("holder__name", flat=True).first()
            chips.append(
                {
                    "label": label,
                    "value": holder or str(value),
                    "href": charts.with_params(params, **{name: None}),
                }
            )
            continue
        if name in queries.SINGLE_VALUED_FILTERS:
            chips.append(
                {"label": label, "value": str(value), "href": charts.with_params(params, **{name: None})}
            )
            continue
        if isinstance(form.fields[name], forms.ModelMultipleChoiceField):
            # Reference rows: the cleaned value holds them, with their labels (no query).
            selected = [(item.code, item.label) for item in value]
        else:
            choices = dict(form.fields[name].choices)
            selected = [(code, str(choices.get(code, code))) for code in value]
        codes = [code for code, _label in selected]
        for code, item_label in selected:
            remaining = [other for other in codes if other != code]
            chips.append(
                {
                    "label": label,
                    "value": item_label,
                    "href": charts.with_params(params, **{name: remaining or None}),
                }
            )
    return chips


def _sections(summary, params, *, measure, rtl):
    """One chart and its table per breakdown, in the order of the page.

    ``narrow(row)`` gives the parameters that select a row: its bar and its label open the dashboard
    narrowed to it, its count the register of its projects (the same filters, the row's own added).
    """

    def section(key, title, rows, *, label_of, narrow, row_measure=measure, cooperatives=False, indh=True):
        def href_of(row):
            changes = narrow(row)
            return None if changes is None else charts.with_params(params, **changes)

        def projects_of(row):
            changes = narrow(row)
            if changes is None:
                return None
            return _row_link(_register(params, **changes), row["projects"], label_of(row))

        return {
            "id": key.replace("_", "-"),
            "title": title,
            "measure_note": _measure_note(row_measure),
            "chart": charts.bar_chart(rows, measure=row_measure, rtl=rtl, label_of=label_of, href_of=href_of),
            "rows": [
                {
                    "label": label_of(row),
                    "href": href_of(row),
                    "projects": format_number(row["projects"], 0),
                    "projects_link": projects_of(row),
                    "cooperatives": format_number(row["cooperatives"], 0) if cooperatives else None,
                    "total_cost": format_mdh(row["total_cost"]),
                    "indh_contribution": format_mdh(row["indh_contribution"]) if indh else None,
                }
                for row in rows
            ],
            "cooperatives": cooperatives,
            "indh": indh,
        }

    def labelled(row):
        return row["label"]

    communes = summary["by_commune"]
    if len(communes) > MAX_COMMUNE_BARS:
        communes = charts.keep_largest(
            communes, measure=measure, limit=MAX_COMMUNE_BARS, other_label=_("%(count)s other communes")
        )
    return [
        section(
            "by_sector",
            _("By sector"),
            summary["by_sector"],
            label_of=labelled,
            narrow=lambda row: {"sector": row["code"]},
            cooperatives=True,
        ),
        section(
            "by_year",
            _("By year"),
            summary["by_year"],
            label_of=lambda row: str(row["year"]),
            narrow=lambda row: {"year": row["year"], "year_from": None, "year_to": None},
            cooperatives=True,
        ),
        section(
            "by_commune",
            _("By commune"),
            communes,
            label_of=labelled,
            # The "other communes" row folds several: no one filter selects it.
            narrow=lambda row: {"commune": row["code"]} if row["code"] else None,
        ),
        section(
            "by_programme",
            _("By programme"),
            summary["by_programme"],
            label_of=lambda row: f"{row['code']} — {row['label']}",
            narrow=lambda row: {"programme": row["code"]},
        ),
        section(
            "by_status",
            _("By status"),
            summary["by_status"],
            label_of=labelled,
            narrow=lambda row: {"status": row["code"]},
            # The spec's status rows carry no INDH amount: bars fall back to the total cost.
            row_measure="total_cost" if measure == "indh_contribution" else measure,
            indh=False,
        ),
    ]


def _measure_note(measure, *, cells=False):
    if cells:
        return {
            "total_cost": _("Cells: total cost, in millions of dirhams."),
            "indh_contribution": _("Cells: INDH contribution, in millions of dirhams."),
            "projects": _("Cells: number of projects."),
        }[measure]
    return {
        "total_cost": _("Bars: total cost, in millions of dirhams."),
        "indh_contribution": _("Bars: INDH contribution, in millions of dirhams."),
        "projects": _("Bars: number of projects."),
    }[measure]


def _heat(summary, params, *, measure):
    """The sector × year table: each cell opens the dashboard for its sector and year, each sector's
    name the register of its projects."""
    years, rows = charts.heat_table(
        summary["by_sector_year"],
        summary["by_sector"],
        measure=measure,
        href_of=lambda sector, year: charts.with_params(
            params, sector=sector["code"], year=year, year_from=None, year_to=None
        ),
    )
    rows = [
        (
            sector,
            cells,
            _row_link(_register(params, sector=sector["code"]), sector["projects"], sector["label"]),
        )
        for sector, cells in rows
    ]
    return {"years": years, "rows": rows, "measure_note": _measure_note(measure, cells=True)}


def _downloads(params, lang):
    """The files of what the page shows: the API with the page's own filters."""
    summary_url = reverse("api:summary")
    projects_url = reverse("api:projects")

    def link(url, fmt):
        # The files offered to readers carry headers in their language (the API's default is its keys).
        headers = None if fmt == "json" else "labels"
        return url + charts.with_params(params, format=fmt, lang=lang, measure=None, headers=headers)

    return [
        {"label": _("Projects (CSV)"), "href": link(projects_url, "csv")},
        {"label": _("Projects (Excel)"), "href": link(projects_url, "xlsx")},
        {"label": _("Breakdowns (CSV)"), "href": link(summary_url, "csv")},
        {"label": _("Breakdowns (Excel)"), "href": link(summary_url, "xlsx")},
        {"label": _("Figures (JSON)"), "href": link(summary_url, "json")},
    ]
