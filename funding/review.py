"""The yearly review (bilan): the province's review of INDH support, written from the data.

Officials used to write it by hand every year (brief.md's news report is one). Here every
figure comes from the dashboard's query layer, Project.objects.summary(), with the
dashboard's filters, so the review and the dashboard always state the same numbers. The
few figures the summary does not hold (what the cooperatives' projects cost, the
agreements signed in the period's last year) come from review_figures(): the summary
narrowed to cooperatives, and one aggregate query over the period's last year.

The sentences are built by pure functions of those figures and a language. Counted nouns
go through gettext's plural forms (Arabic has six), and each Arabic sentence carries the
case its position needs (for example "تم إنجاز مشروعين" after a verbal noun, but
"تعاونيتان" as a subject), which is why whole sentences, not nouns, are translated.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext

from cooperatives.models import HolderType, Province
from funding import aggregates, queries
from funding.models import Project, ProjectStatus
from indh_site.money import format_mdh, format_number

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")
ZERO = Decimal("0.00")


# --- Period ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole years, ``first`` to ``last`` inclusive."""

    first: int
    last: int

    @property
    def years(self):
        return self.last - self.first + 1

    @property
    def is_single_year(self):
        return self.first == self.last

    def previous(self):
        """The period of the same length just before: 2019–2025 → 2012–2018; 2025 → 2024."""
        return Period(self.first - self.years, self.first - 1)

    def as_filters(self):
        """The year filters selecting exactly this period (any single ``year`` filter removed)."""
        return {"year": None, "year_from": self.first, "year_to": self.last}

    def __str__(self):
        # An en dash, as printed documents write a range; in Arabic the bidi algorithm shows
        # the first year on the right, which is how Arabic readers read a range.
        return str(self.first) if self.is_single_year else f"{self.first}–{self.last}"


def resolve_period(filters, by_year):
    """The period the review covers for ``filters``; None when there is nothing to review.

    ``year`` is a single-year review. Otherwise ``year_from`` and ``year_to`` bound it and a
    missing bound is the first (or last) year that has projects under the other filters:
    with no filter at all, the review runs from the first year with data to the last.
    ``by_year`` is the summary's by-year breakdown for the same filters.
    """
    filters = filters or {}
    if filters.get("year"):
        return Period(filters["year"], filters["year"])
    years = [row["year"] for row in by_year]
    first = filters.get("year_from") or (min(years) if years else None)
    last = filters.get("year_to") or (max(years) if years else None)
    if first is None and last is None:
        return None
    # Only one bound and no data beyond it: a one-year period rather than an open one.
    first, last = first or last, last or first
    return Period(min(first, last), max(first, last))


# --- Figures --------------------------------------------------------------------------------------


def cooperative_figures(filters, *, lang=None):
    """The projects carried by a cooperative under ``filters`` and their total cost.

    The report's "71 cooperatives … 81.70 million dirhams" is this total cost, not an amount
    paid to the cooperatives. On PostgreSQL, one query of the aggregate tables; elsewhere (or for a
    filter they lack) one aggregate query of the projects.
    Nothing when the filters exclude cooperatives. The dashboard shows it as a headline figure.
    """
    filters = dict(filters or {})
    chosen_types = queries.normalise_filters(filters).get("holder_type")
    if chosen_types is not None and HolderType.COOPERATIVE not in chosen_types:
        return {"cooperative_projects": 0, "cooperative_cost": ZERO}
    narrowed = {**filters, "holder_type": [HolderType.COOPERATIVE]}
    found = aggregates.count_and_cost(queries.normalise_filters(narrowed)) if aggregates.available() else None
    if found is not None:
        projects, cost = found
    else:
        totals = (
            queries.filter_projects(narrowed)
            .order_by()
            .aggregate(
                projects=Count("pk"),
                cost=Coalesce(Sum("total_cost"), Value(ZERO), output_field=queries.MONEY_SUM),
            )
        )
        projects, cost = totals["projects"], totals["cost"]
    return {"cooperative_projects": projects, "cooperative_cost": Decimal(cost).quantize(queries.CENT)}


def review_figures(filters, *, last_year, lang=None):
    """What the review states beyond the dashboard's summary, for the same ``filters``.

    - ``cooperative_projects``, ``cooperative_cost``: cooperative_figures();
    - ``agreements``, ``agreements_cost``, ``agreements_indh``: the projects of ``last_year``
      (the period's last year) whose partnership agreement is signed, their total cost and
      INDH's share (the report's "13 agreements … 2.23 … 2.01 million dirhams"): one aggregate
      query over that year's projects of queries.filter_projects(filters).
    """
    filters = dict(filters or {})
    figures = cooperative_figures(filters, lang=lang)

    def money(field):
        return Coalesce(Sum(field), Value(ZERO), output_field=queries.MONEY_SUM)

    figures.update(
        queries.filter_projects(filters)
        .filter(year=last_year, agreement_signed_on__isnull=False)
        .order_by()
        .aggregate(
            agreements=Count("pk"),
            agreements_cost=money("total_cost"),
            agreements_indh=money("indh_contribution"),
        )
    )
    for name in ("agreements_cost", "agreements_indh"):
        figures[name] = figures[name].quantize(queries.CENT)
    return figures


def province_labels(filters, summary):
    """The names of the provinces the review covers, for its title.

    The provinces named by the ``province`` filter, else those of the communes that have
    projects (one query). Empty when there is no project.
    """
    chosen = (filters or {}).get("province")
    if chosen:
        return sorted(getattr(province, "label", str(province)) for province in chosen)
    communes = [row["code"] for row in summary["by_commune"]]
    if not communes:
        return []
    provinces = Province.objects.filter(communes__code__in=communes).distinct().order_by("name_fr")
    return [province.label for province in provinces]


@dataclass
class Review:
    """Everything the page, the print and the workbook show. Build it with build_review()."""

    filters: dict
    period: Period | None
    summary: dict
    figures: dict | None = None
    previous_period: Period | None = None
    previous: dict | None = None
    provinces: tuple = ()

    @property
    def totals(self):
        return self.summary["totals"]

    @property
    def is_empty(self):
        return self.totals["projects"] == 0

    @property
    def previous_totals(self):
        return self.previous["totals"] if self.previous else None

    @property
    def has_previous(self):
        """Whether the previous period has projects: without any, no comparison is written."""
        return bool(self.previous_totals and self.previous_totals["projects"])


def build_review(filters, *, lang=None):
    """The review for ``filters`` (cleaned data of funding.filters.ProjectFilter).

    The current figures are exactly the dashboard's for the same filters; the previous
    period's are the summary for the same filters with the period moved back.
    """
    filters = dict(filters or {})
    summary = Project.objects.summary(filters, lang=lang)
    period = resolve_period(filters, summary["by_year"])
    if period is None:
        return Review(filters=filters, period=None, summary=summary)
    previous_period = period.previous()
    return Review(
        filters=filters,
        period=period,
        summary=summary,
        figures=review_figures(filters, last_year=period.last, lang=lang),
        previous_period=previous_period,
        previous=Project.objects.summary({**filters, **previous_period.as_filters()}, lang=lang),
        provinces=tuple(province_labels(filters, summary)),
    )


# --- Writing figures ------------------------------------------------------------------------------


def format_count(n):
    """A count as written in the language: ``1 250`` (French, Arabic) or ``1,250`` (English)."""
    return format_number(n, 0)


def percent_of(part, whole):
    """``part`` as a percentage of ``whole`` to one decimal (Decimal), None when ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent_change(before, after):
    """The change from ``before`` to ``after`` in percent, one decimal; None when ``before`` is zero."""
    if not before:
        return None
    return ((Decimal(after) - Decimal(before)) * HUNDRED / Decimal(before)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def format_percent(value):
    """``47,2 %`` / ``47,2%`` / ``47.2%``, for tables."""
    if value is None:
        return ""
    return _("%(percent)s%%") % {"percent": format_number(value, 1)}


def format_percent_in_text(value):
    """A percentage inside a sentence: Arabic writes it out, ``47,2 في المائة``."""
    return pgettext("in a sentence", "%(percent)s%%") % {"percent": format_number(abs(value), 1)}


def format_change(value):
    """A signed change for tables: ``+23,8 %``, ``-4,0 %``; empty when it cannot be computed."""
    if value is None:
        return ""
    sign = "+" if value > 0 else ""
    return sign + format_percent(value)


def projects_phrase(n):
    """``99 projets`` / ``99 مشروعا`` / ``مشروعان``: a number of projects, in the nominative."""
    return ngettext("%(n)s project", "%(n)s projects", n) % {"n": format_count(n)}


def join_list(items):
    """``a, b and c`` / ``a, b et c`` / ``a، b وc`` (Arabic ``و`` is written onto the next word)."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": _(", ").join(items[:-1]), "last": items[-1]}


MONTHS = {
    1: lambda: pgettext("review date", "January"),
    2: lambda: pgettext("review date", "February"),
    3: lambda: pgettext("review date", "March"),
    4: lambda: pgettext("review date", "April"),
    5: lambda: pgettext("review date", "May"),
    6: lambda: pgettext("review date", "June"),
    7: lambda: pgettext("review date", "July"),
    8: lambda: pgettext("review date", "August"),
    9: lambda: pgettext("review date", "September"),
    10: lambda: pgettext("review date", "October"),
    11: lambda: pgettext("review date", "November"),
    12: lambda: pgettext("review date", "December"),
}


def format_date(day):
    """``29 November 2026`` / ``1er mars 2026`` / ``29 نونبر 2026``.

    Moroccan Arabic names the months as the administration does (يناير … ماي … غشت … دجنبر),
    not as Django's Arabic catalogue (Middle-Eastern names), hence our own translations.
    """
    number = pgettext("review date", "1st") if day.day == 1 else str(day.day)
    return _("%(day)s %(month)s %(year)s") % {"day": number, "month": MONTHS[day.month](), "year": day.year}


# --- Sentences ------------------------------------------------------------------------------------


def period_phrase(period):
    if period.is_single_year:
        return _("In %(year)s") % {"year": period.first}
    return _("From %(first)s to %(last)s") % {"first": period.first, "last": period.last}


def title():
    return _("Review of INDH support")


def subtitle(review):
    """``Province of Khénifra — 2019–2025``."""
    parts = []
    if review.provinces:
        parts.append(
            # Translators: Arabic province names already begin with إقليم (إقليم خنيفرة): do not repeat it.
            ngettext("Province of %(names)s", "Provinces of %(names)s", len(review.provinces))
            % {"names": join_list(review.provinces)}
        )
    if review.period:
        parts.append(str(review.period))
    return " — ".join(parts)


def sentences(review, *, language=None):
    """The review in sentences, in ``language`` (default: the active one): a list of paragraphs."""
    if language:
        with translation.override(language):
            return sentences(review)
    if review.period is None:
        return [_("No project has been recorded for these filters yet.")]
    period = review.period
    if review.is_empty:
        return [_("%(period)s, no project matches these filters.") % {"period": period_phrase(period)}]
    paragraphs = [
        " ".join(
            sentence
            for sentence in (
                overview_sentence(review),
                status_sentence(review),
                cooperatives_sentence(review),
                contribution_sentence(review),
                jobs_sentence(review),
            )
            if sentence
        ),
        sectors_sentence(review),
        agreements_sentence(review),
        comparison_sentence(review),
    ]
    return [paragraph for paragraph in paragraphs if paragraph]


def overview_sentence(review):
    # "Supported", not "carried out": the projects of a period are completed, in progress or only
    # approved; status_sentence() says how many of each.
    totals = review.totals
    return ngettext(
        # Translators: Arabic: the count follows the verbal noun (تم دعم …), so it is genitive (مشروعين).
        "%(period)s, %(projects)s project was supported by INDH, at a total cost of %(total_cost)s.",
        "%(period)s, %(projects)s projects were supported by INDH, at a total cost of %(total_cost)s.",
        totals["projects"],
    ) % {
        "period": period_phrase(review.period),
        "projects": format_count(totals["projects"]),
        "total_cost": format_mdh(totals["total_cost"]),
    }


# How many projects have each status, in the order a project goes through them (cancelled last).
# Translators: Arabic: each phrase is the subject after ومن بين هذه المشاريع (nominative: مشروعان
# منجزان), its adjective agreeing with the counted noun (3 مشاريع منجزة، 11 مشروعا منجزا).
def _status_phrase(status, n):
    phrases = {
        ProjectStatus.COMPLETED: lambda: npgettext(
            "projects by status", "%(n)s is completed", "%(n)s are completed", n
        ),
        ProjectStatus.IN_PROGRESS: lambda: npgettext(
            "projects by status", "%(n)s is in progress", "%(n)s are in progress", n
        ),
        ProjectStatus.APPROVED: lambda: npgettext(
            "projects by status", "%(n)s is approved", "%(n)s are approved", n
        ),
        ProjectStatus.PROGRAMMED: lambda: npgettext(
            "projects by status", "%(n)s is programmed", "%(n)s are programmed", n
        ),
        ProjectStatus.CANCELLED: lambda: npgettext(
            "projects by status", "%(n)s is cancelled", "%(n)s are cancelled", n
        ),
    }
    return phrases[status]() % {"n": format_count(n)}


STATUS_ORDER = (
    ProjectStatus.COMPLETED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.APPROVED,
    ProjectStatus.PROGRAMMED,
    ProjectStatus.CANCELLED,
)


def status_sentence(review):
    """``Of these projects, 70 are completed, 21 are in progress and 8 are approved.``"""
    counts = {row["code"]: row["projects"] for row in review.summary.get("by_status", ())}
    items = [_status_phrase(status, counts[status]) for status in STATUS_ORDER if counts.get(status)]
    if not items:
        return ""
    return _("Of these projects, %(list)s.") % {"list": join_list(items)}


def cooperatives_sentence(review):
    cooperatives = review.totals["cooperatives"]
    if not cooperatives:
        return _("None of these projects was carried by a cooperative.")
    # The report's "81.70 million dirhams" is what the cooperatives' projects cost, all
    # contributions together, not an amount the cooperatives received: the sentence says so.
    return ngettext(
        # Translators: Arabic: the cooperatives are the subject (nominative: تعاونيتان).
        "%(cooperatives)s cooperative benefited from this support; "
        "the projects it carries have a total cost of %(cooperative_cost)s.",
        "%(cooperatives)s cooperatives benefited from this support; "
        "the projects they carry have a total cost of %(cooperative_cost)s.",
        cooperatives,
    ) % {
        "cooperatives": format_count(cooperatives),
        "cooperative_cost": format_mdh(review.figures["cooperative_cost"]),
    }


def contribution_sentence(review):
    totals = review.totals
    share = percent_of(totals["indh_contribution"], totals["total_cost"])
    if share is None:
        text = _("INDH contributed %(indh)s.") % {"indh": format_mdh(totals["indh_contribution"])}
    else:
        text = _("INDH contributed %(indh)s, that is %(share)s of the total cost.") % {
            "indh": format_mdh(totals["indh_contribution"]),
            "share": format_percent_in_text(share),
        }
    if totals["partner_contribution"] or totals["holder_contribution"]:
        text += " " + _("The partners brought %(partners)s and the holders %(holders)s.") % {
            "partners": format_mdh(totals["partner_contribution"]),
            "holders": format_mdh(totals["holder_contribution"]),
        }
    return text


def jobs_sentence(review):
    jobs = review.totals["jobs"]
    if not jobs:
        return ""
    # Translators: Arabic: genitive after تم إحداث (منصبي شغل).
    return ngettext("In all, %(jobs)s job was created.", "In all, %(jobs)s jobs were created.", jobs) % {
        "jobs": format_count(jobs)
    }


def sectors_sentence(review):
    rows = review.summary["by_sector"]
    items = [
        _("%(sector)s (%(projects)s)")
        % {"sector": row["label"], "projects": projects_phrase(row["projects"])}
        for row in rows
    ]
    return ngettext(
        # Translators: Arabic: the sectors are the object of شملت (accusative: قطاعين, قطاعا واحدا).
        "All the projects belong to one sector: %(list)s.",
        "The projects are spread over %(count)s sectors: %(list)s.",
        len(rows),
    ) % {"count": format_count(len(rows)), "list": join_list(items)}


def agreements_sentence(review):
    figures, year = review.figures, review.period.last
    if not figures["agreements"]:
        return _("No partnership agreement was signed for %(year)s.") % {"year": year}
    return ngettext(
        # Translators: Arabic: genitive after تم توقيع (اتفاقيتي شراكة).
        "For %(year)s, %(agreements)s partnership agreement was signed, at a total cost of %(cost)s, "
        "to which INDH contributes %(indh)s.",
        "For %(year)s, %(agreements)s partnership agreements were signed, at a total cost of %(cost)s, "
        "to which INDH contributes %(indh)s.",
        figures["agreements"],
    ) % {
        "year": year,
        "agreements": format_count(figures["agreements"]),
        "cost": format_mdh(figures["agreements_cost"]),
        "indh": format_mdh(figures["agreements_indh"]),
    }


def previous_phrase(period):
    if period.is_single_year:
        return _("the previous year (%(period)s)") % {"period": period}
    return _("the previous period of the same length (%(period)s)") % {"period": period}


def comparison_sentence(review):
    """How the period compares with the previous one; nothing when that period has no project
    (a comparison with nothing would only be a row of zeros)."""
    if not review.has_previous:
        return ""
    clauses = [change_clause(row) for row in comparison_rows(review)]
    return _("Compared with %(previous)s, %(changes)s.") % {
        "previous": previous_phrase(review.previous_period),
        "changes": join_list(clauses),
    }


# One clause per measure and direction: the subject's gender changes the verb in Arabic and
# French ("ارتفع عدد المشاريع" / "ارتفعت التكلفة", "a augmenté" / "est restée stable").
def _clauses(measure):
    if measure == "projects":
        return {
            "up": _("the number of projects rose by %(percent)s (from %(before)s to %(after)s)"),
            "down": _("the number of projects fell by %(percent)s (from %(before)s to %(after)s)"),
            "same": _("the number of projects did not change (%(after)s)"),
        }
    if measure == "total_cost":
        return {
            "up": _("the total cost rose by %(percent)s (from %(before)s to %(after)s)"),
            "down": _("the total cost fell by %(percent)s (from %(before)s to %(after)s)"),
            "same": _("the total cost did not change (%(after)s)"),
            "from_nothing": _("the total cost went from %(before)s to %(after)s"),
        }
    return {
        "up": _("INDH's contribution rose by %(percent)s (from %(before)s to %(after)s)"),
        "down": _("INDH's contribution fell by %(percent)s (from %(before)s to %(after)s)"),
        "same": _("INDH's contribution did not change (%(after)s)"),
        "from_nothing": _("INDH's contribution went from %(before)s to %(after)s"),
    }


def change_clause(row):
    before, after, change = row["before"], row["after"], row["change"]
    clauses = _clauses(row["measure"])
    if change is None:
        key = "from_nothing"
    elif after > before:
        key = "up"
    elif after < before:
        key = "down"
    else:
        key = "same"
    return clauses[key] % {
        "percent": format_percent_in_text(change) if change is not None else "",
        "before": row["before_text"],
        "after": row["after_text"],
    }


def comparison_rows(review):
    """Projects, total cost and INDH's contribution, this period against the previous one."""
    previous = review.previous_totals or {}
    rows = []
    for measure, label in (
        ("projects", pgettext("review", "Projects")),
        ("total_cost", pgettext("review", "Total cost")),
        ("indh_contribution", pgettext("review", "INDH contribution")),
    ):
        before, after = previous.get(measure, 0), review.totals[measure]
        text = format_count if measure == "projects" else format_mdh
        rows.append(
            {
                "measure": measure,
                "label": label,
                "before": before,
                "after": after,
                "before_text": text(before),
                "after_text": text(after),
                "change": percent_change(before, after),
            }
        )
    return rows


# --- Tables ---------------------------------------------------------------------------------------


def key_figures(review):
    """(label, value, kind) rows of the figures the sentences state; kind: "count" or "money"."""
    totals, figures = review.totals, review.figures
    rows = [
        (pgettext("review", "Projects"), totals["projects"], "count"),
        (pgettext("review", "Holders"), totals["holders"], "count"),
        (pgettext("review", "Cooperatives supported"), totals["cooperatives"], "count"),
        (pgettext("review", "Projects carried by cooperatives"), figures["cooperative_projects"], "count"),
        (pgettext("review", "Total cost"), totals["total_cost"], "money"),
        (
            pgettext("review", "Total cost of the cooperatives' projects"),
            figures["cooperative_cost"],
            "money",
        ),
        (pgettext("review", "INDH contribution"), totals["indh_contribution"], "money"),
        (pgettext("review", "Partners' contribution"), totals["partner_contribution"], "money"),
        (pgettext("review", "Holders' contribution"), totals["holder_contribution"], "money"),
        (pgettext("review", "Jobs created"), totals["jobs"], "count"),
    ]
    year = {"year": review.period.last}
    rows += [
        (_("Agreements signed for %(year)s") % year, figures["agreements"], "count"),
        (_("Total cost of the agreements of %(year)s") % year, figures["agreements_cost"], "money"),
        (_("INDH contribution to the agreements of %(year)s") % year, figures["agreements_indh"], "money"),
    ]
    return rows


def sector_rows(review):
    """The by-sector breakdown with each sector's share of the projects and of the cost."""
    totals = review.totals
    return [
        {
            **row,
            "projects_share": percent_of(row["projects"], totals["projects"]),
            "cost_share": percent_of(row["total_cost"], totals["total_cost"]),
        }
        for row in review.summary["by_sector"]
    ]


def today():
    """The date the report is produced, in the province's time zone."""
    return timezone.localdate()


def format_moment(moment):
    """``29 November 2026, 14:05`` / ``29 نونبر 2026، 14:05``, in the province's time zone."""
    local = timezone.localtime(moment)
    return _("%(date)s, %(time)s") % {"date": format_date(local.date()), "time": f"{local:%H:%M}"}
