"""The yearly review page (/bilan/) and its workbook (/bilan/xlsx/).

Both take the dashboard's filters (funding.filters.ProjectFilter) and read their figures
through funding.review, which asks the dashboard's query layer: for the same filters the
review states the dashboard's figures. ``?lang=`` works as on the dashboard, so a link to
the Arabic review stays Arabic.
"""

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from funding import charts, queries, review_export
from funding.filters import CHOICE_FILTERS, ProjectFilter, choice_groups
from funding.models import Project
from funding.review import (
    build_review,
    comparison_rows,
    format_change,
    format_count,
    format_date,
    format_moment,
    format_percent,
    key_figures,
    sector_rows,
    sentences,
    subtitle,
    title,
    today,
)
from funding.views import form_errors
from indh_site.money import format_mdh, join_items
from indh_site.public_cache import cached_public_answer

# The filters the review's form offers (the others still apply when given in the address).
FORM_FIELDS = ("year", "year_from", "year_to", "province", "sector", "commune", "programme")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _start_of_today():
    return timezone.make_aware(datetime.datetime.combine(today(), datetime.time.min))


# The review is dated: its answers are kept per day too, and are newer than the day's start.
kept_per_day = cached_public_answer(vary_on=lambda: today().isoformat(), not_before=_start_of_today)


def _filterset(request):
    filterset = ProjectFilter(request.GET, queryset=Project.objects.all())
    filterset.is_valid()
    return filterset


@require_safe
@kept_per_day
def review(request):
    """The review in sentences, with the tables and charts behind them, printable as a report."""
    filterset = _filterset(request)
    form = filterset.form
    context = {
        "title": title(),
        "form": form,
        "year_fields": [form[name] for name in queries.SINGLE_VALUED_FILTERS],
        "choice_groups": choice_groups(form, [name for name in FORM_FIELDS if name in CHOICE_FILTERS]),
        "hidden_params": _hidden_params(request.GET),
        "errors": form_errors(form),
        "today": format_date(today()),
    }
    if form.errors:
        return render(request, "funding/review.html", context, status=400)

    lang = queries.resolve_language()
    result = build_review(form.cleaned_data, lang=lang)
    context.update(
        {
            "review": result,
            "subtitle": subtitle(result),
            "paragraphs": sentences(result),
            "applied_filters": _applied_filters(form),
            "as_of": _as_of(),
        }
    )
    if result.period and not result.is_empty:
        context.update(_tables(result, request.GET))
        query = charts.with_params(request.GET)
        context["xlsx_url"] = reverse("review-xlsx") + (query if query != "?" else "")
    return render(request, "funding/review.html", context)


@require_safe
@kept_per_day
def review_xlsx(request):
    """The review's tables as an Excel workbook (numbers as numbers, amounts exact)."""
    filterset = _filterset(request)
    if filterset.form.errors:
        context = {"title": title(), "errors": form_errors(filterset.form), "today": format_date(today())}
        return render(request, "funding/review.html", context, status=400)
    result = build_review(filterset.form.cleaned_data, lang=queries.resolve_language())
    content = review_export.workbook_bytes(
        result, paragraphs=sentences(result), filters=_applied_filters(filterset.form)
    )
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{review_export.file_name(result)}"'
    return response


def _hidden_params(params):
    """Filters given in the address but not in the form (holder type, status): kept on submit."""
    kept = [name for name in params if name not in FORM_FIELDS and name in queries.FILTER_NAMES]
    return [(name, value) for name in kept for value in params.getlist(name)]


def _applied_filters(form):
    """(label, values) of the filters in use other than the years, for the report's header."""
    applied = []
    for name in queries.MULTI_VALUED_FILTERS:
        value = form.cleaned_data.get(name)
        if not value:
            continue
        choices = dict(getattr(form.fields[name], "choices", []) or [])
        labels = [getattr(item, "label", None) or str(choices.get(item, item)) for item in value]
        applied.append((str(form.fields[name].label), join_items(labels)))
    return applied


def _as_of():
    """The time of the last change of the data, which the review states (not the day it is read)."""
    moment = queries.last_updated()
    return format_moment(moment) if moment else format_date(today())


def _tables(result, params):
    """The formatted tables and the charts under the sentences."""
    rtl = translation.get_language_bidi()
    period = result.period
    return {
        "key_figures": [
            (label, format_count(value) if kind == "count" else format_mdh(value))
            for label, value, kind in key_figures(result)
        ],
        # Left out when the previous period has no project: a table of zeros and "n/a" says nothing.
        "comparison": [
            {
                "label": row["label"],
                "before": row["before_text"],
                "after": row["after_text"],
                "change": format_change(row["change"]) or _("n/a"),
            }
            for row in comparison_rows(result)
        ]
        if result.has_previous
        else [],
        "sectors": [
            {
                "label": row["label"],
                "projects": format_count(row["projects"]),
                "projects_share": format_percent(row["projects_share"]),
                "cooperatives": format_count(row["cooperatives"]),
                "total_cost": format_mdh(row["total_cost"]),
                "cost_share": format_percent(row["cost_share"]),
                "indh_contribution": format_mdh(row["indh_contribution"]),
            }
            for row in sector_rows(result)
        ],
        "years": _money_rows(result.summary["by_year"], label_of=lambda row: str(row["year"])),
        "communes": _money_rows(result.summary["by_commune"]),
        "programmes": _money_rows(
            result.summary["by_programme"], label_of=lambda row: f"{row['code']} — {row['label']}"
        ),
        "sector_chart": charts.bar_chart(
            result.summary["by_sector"],
            measure="projects",
            rtl=rtl,
            label_of=lambda row: row["label"],
            href_of=lambda row: charts.with_params(params, sector=row["code"]),
        ),
        "year_chart": charts.bar_chart(
            result.summary["by_year"],
            measure="total_cost",
            rtl=rtl,
            label_of=lambda row: str(row["year"]),
            href_of=lambda row: charts.with_params(params, year=row["year"], year_from=None, year_to=None),
        ),
        "last_year": period.last,
        "previous_period": result.previous_period,
    }


def _money_rows(rows, label_of=lambda row: row["label"]):
    return [
        {
            "label": label_of(row),
            "projects": format_count(row["projects"]),
            "cooperatives": format_count(row["cooperatives"]) if "cooperatives" in row else None,
            "total_cost": format_mdh(row["total_cost"]),
            "indh_contribution": format_mdh(row["indh_contribution"]),
        }
        for row in rows
    ]
