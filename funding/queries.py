"""The one query layer behind the public dashboard, the yearly review and the open-data API.

Pages and API both read their figures from here, so a figure on a page always equals
the API's. Filters are the cleaned data of funding.filters.ProjectFilter, or a plain
dict with the same keys holding codes (``{"year": 2025, "sector": ["agriculture"]}``).

Summaries are cached per (filters, language, data version). Saving or deleting a
project, a holder or reference data bumps the data version (funding/signals.py);
bulk writes that bypass signals must call invalidate_summary_cache() themselves.
"""

import hashlib
import json
import time
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation

from cooperatives.models import HolderType
from funding import aggregates, territory
from funding.models import DataChange, Project, ProjectStatus

CENT = Decimal("0.01")
# Sums of many Decimal(14, 2) amounts need more digits than one amount.
MONEY_SUM = DecimalField(max_digits=20, decimal_places=2)

SINGLE_VALUED_FILTERS = ("year", "year_from", "year_to")
MULTI_VALUED_FILTERS = ("sector", "commune", "province", "programme", "holder_type", "status")
# One holder by its id: the projects of a holder's public page (its downloads). No aggregate table
# groups by holder, so summary() sums the projects themselves (a holder has a handful).
ID_FILTERS = ("holder",)
FILTER_NAMES = SINGLE_VALUED_FILTERS + MULTI_VALUED_FILTERS + ID_FILTERS
# Parameters that ride along with the filters without selecting projects.
NON_FILTER_KEYS = ("lang",)
FILTER_LOOKUPS = {
    "year": "year",
    "year_from": "year__gte",
    "year_to": "year__lte",
    "sector": "sector__code__in",
    "commune": "commune__code__in",
    "province": "commune__province__code__in",
    "programme": "programme__code__in",
    "holder_type": "holder__holder_type__in",
    "status": "status__in",
    "holder": "holder_id",
}

CACHE_VERSION_KEY = "funding:summary:version"
# Bounded staleness when several processes each keep a local-memory cache (no REDIS_URL):
# a signal only bumps the version in the process that saved the row.
CACHE_TIMEOUT = 10 * 60


# --- Filters --------------------------------------------------------------------------------------


def normalise_filters(filters):
    """The non-empty filters as plain JSON values: years as int, codes as sorted lists.

    Accepts cleaned form data (model instances, querysets) or codes. Raises ValueError on
    an unknown filter name, so a misspelt key in calling code cannot be silently ignored.
    """
    normalised = {}
    for name, value in (filters or {}).items():
        if name in NON_FILTER_KEYS:
            continue
        if name not in FILTER_NAMES:
            raise ValueError(f"unknown project filter {name!r}")
        if value is None or value == "" or value == []:
            continue
        if name in SINGLE_VALUED_FILTERS:
            normalised[name] = int(value)
            continue
        if name in ID_FILTERS:
            normalised[name] = int(getattr(value, "pk", value))
            continue
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            value = [value]
        codes = sorted({str(getattr(item, "code", item)) for item in value})
        if codes:
            normalised[name] = codes
    return normalised


def filter_projects(filters=None, *, queryset=None):
    """The projects matching ``filters``; cancelled projects are left out unless ``status`` names them."""
    queryset = Project.objects.all() if queryset is None else queryset
    normalised = normalise_filters(filters)
    queryset = queryset.filter(**{FILTER_LOOKUPS[name]: value for name, value in normalised.items()})
    if "status" not in normalised:
        queryset = queryset.exclude(status=ProjectStatus.CANCELLED)
    return queryset


def resolve_language(lang=None):
    """One of settings.LANGUAGES' codes: ``lang`` if given and known, else the active language."""
    known = {code for code, _name in settings.LANGUAGES}
    for candidate in (lang, translation.get_language(), settings.LANGUAGE_CODE):
        if candidate and candidate[:2] in known:
            return candidate[:2]
    return settings.LANGUAGE_CODE


def label_expression(relation, lang):
    """SQL for the name of a reference row in ``lang``, falling back to French (as ``.label`` does)."""
    return Coalesce(NullIf(F(f"{relation}__name_{lang}"), Value("")), F(f"{relation}__name_fr"))


# --- Summary --------------------------------------------------------------------------------------


def _money(field):
    return Coalesce(Sum(field), Value(Decimal("0.00")), output_field=MONEY_SUM)


def _cooperatives():
    return Count("holder", distinct=True, filter=Q(holder__holder_type=HolderType.COOPERATIVE))


def _amount(value):
    return (value or Decimal("0")).quantize(CENT)


def summary(filters=None, *, lang=None, queryset=None):
    """The figures of the public dashboard for ``filters``, shaped like /api/v1/summary.

    Returns ``{"filters", "totals", "by_sector", "by_year", "by_sector_year", "by_commune",
    "by_province", "by_programme", "by_status"}`` with Decimal amounts (the API turns them into
    strings); communes and provinces carry their 2024 population and need (funding/territory.py).
    Labels are in ``lang`` (default: the active language). A fixed number of SQL queries
    whatever the data size (eight on SQLite; on PostgreSQL fewer, from the aggregate tables),
    none when the result is cached. A ``queryset`` already narrowed by the caller
    is summarised as given and not cached (the cache key cannot describe it).
    """
    lang = resolve_language(lang or (filters or {}).get("lang"))
    normalised = normalise_filters(filters)
    cacheable = queryset is None or not queryset.query.has_filters()
    if cacheable:
        # The key is taken before querying: a change made meanwhile bumps the version, so
        # this (possibly stale) result is stored under a key nobody will read again.
        key = _cache_key(normalised, lang)
        cached = cache.get(key)
        if cached is not None:
            return cached
    if cacheable and aggregates.available() and aggregates.FILTER_COLUMNS.keys() >= normalised.keys():
        # Every project, on PostgreSQL: the aggregate tables kept by migration 0006's triggers
        # give the same figures without summing a million rows (funding/aggregates.py). A filter
        # they have no column for (a holder) sums its few projects below instead.
        result = aggregates.compute_summary(normalised, lang=lang)
    else:
        result = compute_summary(filter_projects(normalised, queryset=queryset), lang=lang)
    result = {"filters": normalised, **result}
    if cacheable:
        cache.set(key, result, CACHE_TIMEOUT)
    return result


def compute_summary(projects, *, lang):
    """Totals and breakdowns of an already filtered Project queryset, all summed in SQL (uncached)."""
    projects = projects.order_by()
    totals = projects.aggregate(
        projects=Count("pk"),
        holders=Count("holder", distinct=True),
        cooperatives=_cooperatives(),
        total_cost=_money("total_cost"),
        indh_contribution=_money("indh_contribution"),
        partner_contribution=_money("partner_contribution"),
        holder_contribution=_money("holder_contribution"),
        jobs=Coalesce(Sum("jobs_created"), 0),
    )
    for name in ("total_cost", "indh_contribution", "partner_contribution", "holder_contribution"):
        totals[name] = _amount(totals[name])

    # Aliases differ from the model's field names ("code", "total_cost"…), which annotate() refuses.
    measures = {
        "n_projects": Count("pk"),
        "cost_sum": _money("total_cost"),
        "indh_sum": _money("indh_contribution"),
    }
    with_cooperatives = {**measures, "n_cooperatives": _cooperatives()}
    by_sector = (
        projects.values(ref=F("sector__code"), name=label_expression("sector", lang))
        .annotate(**with_cooperatives)
        .order_by("sector__ordering", "sector__code")
    )
    by_year = projects.values("year").annotate(**with_cooperatives).order_by("year")
    by_sector_year = (
        projects.values("year", ref=F("sector__code"))
        .annotate(**measures)
        .order_by("sector__ordering", "sector__code", "year")
    )
    by_commune = (
        projects.values(ref=F("commune__code"), name=label_expression("commune", lang))
        .annotate(**measures)
        .order_by("commune__name_fr", "commune__code")
    )
    by_programme = (
        projects.values(ref=F("programme__code"), name=label_expression("programme", lang))
        .annotate(**measures)
        .order_by("programme__ordering", "programme__code")
    )
    by_status = projects.values(ref=F("status")).annotate(**measures)

    with translation.override(lang):
        status_labels = {value: str(label) for value, label in ProjectStatus.choices}
    statuses = sorted(by_status, key=lambda row: ProjectStatus.values.index(row["ref"]))
    for row in statuses:
        row["name"] = status_labels[row["ref"]]
    result = {
        "totals": totals,
        "by_sector": _rows(
            by_sector, ("code", "label", "projects", "cooperatives", "total_cost", "indh_contribution")
        ),
        "by_year": _rows(by_year, ("year", "projects", "cooperatives", "total_cost", "indh_contribution")),
        "by_sector_year": _rows(
            by_sector_year, ("code", "year", "projects", "total_cost", "indh_contribution")
        ),
        "by_commune": _rows(by_commune, ("code", "label", "projects", "total_cost", "indh_contribution")),
        "by_programme": _rows(by_programme, ("code", "label", "projects", "total_cost", "indh_contribution")),
        "by_status": _rows(statuses, ("code", "label", "projects", "total_cost")),
    }
    return territory.with_census(result, lang=lang)


# Spec key of a breakdown row -> how it is read from a grouped values() row.
_ROW_READERS = {
    "code": lambda row: row["ref"],
    "label": lambda row: row["name"],
    "year": lambda row: row["year"],
    "projects": lambda row: row["n_projects"],
    "cooperatives": lambda row: row["n_cooperatives"],
    "total_cost": lambda row: _amount(row["cost_sum"]),
    "indh_contribution": lambda row: _amount(row["indh_sum"]),
}


def _rows(grouped, keys):
    """Breakdown rows with the spec's keys, in the spec's order, amounts to the cent."""
    return [{key: _ROW_READERS[key](row) for key in keys} for row in grouped]


# --- Cache ----------------------------------------------------------------------------------------


# A process reuses the version it read for this long: a kept page then costs no SQL at all, and a
# change saved by another process shows within this delay (this process's own changes at once).
DATA_VERSION_REUSE_SECONDS = 1.0
_version_read = (0.0, None)  # (time.monotonic() of the read, version)


def data_version():
    """A token that changes whenever the public figures may have changed (see funding/signals.py).

    On PostgreSQL, a sequence shared by every process and server (migration 0010); elsewhere (SQLite,
    one process) a value in the cache.
    """
    global _version_read
    if connection.vendor == "postgresql":
        read_at, version = _version_read
        if version is None or time.monotonic() - read_at > DATA_VERSION_REUSE_SECONDS:
            with connection.cursor() as cursor:
                cursor.execute("SELECT last_value FROM funding_data_version")
                version = str(cursor.fetchone()[0])
            _version_read = (time.monotonic(), version)
        return version
    version = cache.get(CACHE_VERSION_KEY)
    if version is None:
        cache.add(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(CACHE_VERSION_KEY)
    return version


def _cache_key(normalised, lang):
    digest = hashlib.sha256(json.dumps(normalised, sort_keys=True).encode()).hexdigest()[:32]
    return f"funding:summary:{data_version()}:{lang}:{digest}"


def has_demo_projects():
    """Whether demo projects are in the database (every public page says so), cached like the figures.

    Every public page asks: the cache spares each page the query, which the partial index
    fund_proj_demo_idx keeps cheap when it does run.
    """
    key = f"funding:has-demo:{data_version()}"
    found = cache.get(key)
    if found is None:
        found = Project.objects.filter(is_demo=True).exists()
        cache.set(key, found, CACHE_TIMEOUT)
    return found


def invalidate_summary_cache():
    """Make every cached summary stale; call it after writes that send no signals (bulk imports).

    The version is bumped now, so this process sees its own change at once, and again when
    the transaction commits, so a summary computed meanwhile by another request from
    not-yet-committed data is not kept.
    """
    _bump_version()
    transaction.on_commit(_committed_change)


def _committed_change():
    """After a commit: the time of the change first, so a reader of the new version reads it too."""
    now = timezone.now()
    if not DataChange.objects.filter(pk=1).update(changed_at=now):
        DataChange.objects.update_or_create(pk=1, defaults={"changed_at": now})
    _bump_version()


def last_updated():
    """When the public figures last changed (an aware datetime), None before any recorded change.

    Cached per data version: one small read after each change, none on a kept page.
    """
    key = f"funding:last-updated:{data_version()}"
    found = cache.get(key)
    if found is None:
        found = DataChange.objects.filter(pk=1).values_list("changed_at", flat=True).first() or ""
        cache.set(key, found, CACHE_TIMEOUT)
    return found or None


def _bump_version():
    global _version_read
    if connection.vendor == "postgresql":
        # nextval() is outside transactions: never rolled back, never waiting for another writer.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('funding_data_version')")
        _version_read = (0.0, None)
        return
    cache.set(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


# --- Project list ---------------------------------------------------------------------------------

# The public columns of /api/v1/projects and its CSV/XLSX, in this order. Nothing private
# (phone, e-mail, notes, registration numbers) is even read from the database.
PROJECT_COLUMNS = (
    "code",
    "title",
    "holder",
    "holder_type",
    "holder_type_label",
    "sector",
    "sector_label",
    "commune",
    "commune_label",
    "province",
    "province_label",
    "programme",
    "programme_label",
    "year",
    "status",
    "status_label",
    "total_cost",
    "indh_contribution",
    "partner_contribution",
    "holder_contribution",
    "jobs",
    "agreement_signed_on",
)
AMOUNT_COLUMNS = ("total_cost", "indh_contribution", "partner_contribution", "holder_contribution")


def project_list(filters=None, *, lang=None):
    """The public columns of the matching projects as a values() queryset, newest year first.

    Feed its rows (a page, or ``.iterator(chunk_size=…)`` for exports) to public_rows().
    """
    lang = resolve_language(lang)
    return (
        filter_projects(filters)
        .order_by("-year", "code")
        .values(
            "code",
            "title",
            "year",
            "status",
            "total_cost",
            "indh_contribution",
            "partner_contribution",
            "holder_contribution",
            "agreement_signed_on",
            # Not public columns, but a 360Giving grant's recipient identifier and dateModified.
            "holder_id",
            "updated_at",
            holder_name=F("holder__name"),
            holder_kind=F("holder__holder_type"),
            jobs=F("jobs_created"),
            sector_code=F("sector__code"),
            sector_name=label_expression("sector", lang),
            commune_code=F("commune__code"),
            commune_name=label_expression("commune", lang),
            province_code=F("commune__province__code"),
            province_name=label_expression("commune__province", lang),
            programme_code=F("programme__code"),
            programme_name=label_expression("programme", lang),
        )
    )


def public_rows(values_rows, *, lang=None):
    """Turn project_list() rows into dicts keyed by PROJECT_COLUMNS (labels in ``lang``)."""
    lang = resolve_language(lang)
    with translation.override(lang):
        holder_types = {value: str(label) for value, label in HolderType.choices}
        statuses = {value: str(label) for value, label in ProjectStatus.choices}
    for row in values_rows:
        yield {
            "code": row["code"],
            "title": row["title"],
            "holder": row["holder_name"],
            "holder_type": row["holder_kind"],
            "holder_type_label": holder_types.get(row["holder_kind"], row["holder_kind"]),
            "sector": row["sector_code"],
            "sector_label": row["sector_name"],
            "commune": row["commune_code"],
            "commune_label": row["commune_name"],
            "province": row["province_code"],
            "province_label": row["province_name"],
            "programme": row["programme_code"],
            "programme_label": row["programme_name"],
            "year": row["year"],
            "status": row["status"],
            "status_label": statuses.get(row["status"], row["status"]),
            **{name: _amount(row[name]) for name in AMOUNT_COLUMNS},
            "jobs": row["jobs"],
            "agreement_signed_on": row["agreement_signed_on"],
        }
