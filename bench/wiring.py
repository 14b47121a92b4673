"""Until the shared files call issue 6's pieces themselves, the benchmark applies that wiring.

Exactly the changes proposed in bench/README.md ("Wiring"):

- funding.queries.summary(): an unfiltered queryset on PostgreSQL is summed from the
  aggregate tables (funding.aggregates), with the same caching as before;
- funding.admin.ProjectAdmin: EstimatedCountPaginator, IndexedSearchMixin and
  ProjectYearListFilter (indh_site.paginators, funding.admin_scale).

Whatever the shared files already do is left alone, so once they are wired apply() changes
nothing. BENCH_WIRING=0 measures the application exactly as it is.
"""

import contextvars
import inspect
import os

_filters = contextvars.ContextVar("bench_summary_filters", default=None)
_applied = set()  # the parts this module wired


def wired():
    """What the shared files do themselves: {"summary": bool, "admin": bool}."""
    from django.contrib import admin

    from funding import queries
    from funding.admin_scale import IndexedSearchMixin
    from funding.models import Project
    from indh_site.paginators import EstimatedCountPaginator

    project_admin = admin.site._registry[Project]
    return {
        "summary": "aggregates" in inspect.getsource(queries),
        "admin": isinstance(project_admin, IndexedSearchMixin)
        and issubclass(project_admin.paginator, EstimatedCountPaginator),
    }


def describe():
    if os.environ.get("BENCH_WIRING", "1") == "0":
        return "as the shared files are (BENCH_WIRING=0)"
    return ", ".join(
        f"{part} {'wired by bench/wiring.py' if part in _applied else 'wired in the code'}"
        for part in ("summary", "admin")
    )


def apply():
    if os.environ.get("BENCH_WIRING", "1") == "0":
        return
    done = wired()
    if not done["summary"]:
        _wire_summary()
        _applied.add("summary")
    if not done["admin"]:
        _wire_admin()
        _applied.add("admin")


def _wire_admin():
    from django.contrib import admin

    from funding.admin_scale import CommuneListFilter, IndexedSearchMixin, ProjectYearListFilter
    from funding.models import Project
    from indh_site.paginators import EstimatedCountPaginator

    project_admin = admin.site._registry[Project]
    project_admin.__class__ = type("WiredProjectAdmin", (IndexedSearchMixin, type(project_admin)), {})
    project_admin.paginator = EstimatedCountPaginator
    replaced = {"year": ProjectYearListFilter, "commune": ("commune", CommuneListFilter)}
    project_admin.list_filter = [replaced.get(item, item) for item in project_admin.list_filter]


def _wire_summary():
    from funding import aggregates, queries

    original_summary, original_compute = queries.summary, queries.compute_summary

    def summary(filters=None, *, lang=None, queryset=None):
        unfiltered = queryset is None or not queryset.query.has_filters()
        token = _filters.set(queries.normalise_filters(filters) if unfiltered else None)
        try:
            return original_summary(filters, lang=lang, queryset=queryset)
        finally:
            _filters.reset(token)

    def compute_summary(projects, *, lang):
        normalised = _filters.get()
        if normalised is not None and aggregates.available():
            return aggregates.compute_summary(normalised, lang=lang)
        return original_compute(projects, lang=lang)

    queries.summary, queries.compute_summary = summary, compute_summary
