"""The public figures from aggregate tables, for national scale (issue 6). PostgreSQL only.

At a million projects, summing the projects table for every dashboard view takes seconds.
Migration 0006 keeps three tables current with database triggers (every write path: admin,
import, bulk SQL), and compute_summary() answers from them with the same result as
funding.queries.compute_summary() on the raw rows:

- ``funding_aggregate_cell``: projects, amounts and jobs per status and per grain (GRAINS:
  the nation by year × sector × programme × holder type, each province the same, the nation
  by year × sector and by year × programme, the communes alone or by one of year, sector,
  programme, holder type). Each part of the summary reads the smallest grain holding its
  columns and the filter's: unfiltered, ~9,000 rows instead of a million.
- ``funding_aggregate_holders``: distinct holders of non-cancelled projects per holder type,
  nationally: overall, per year, per sector, per (year, sector). Distinct counts cannot be
  added up across groups (a holder with projects in two years is one holder), so this table
  answers only when the filter selects exactly its cells: no filter, one year, one sector,
  one of each, with any holder types, cancelled projects left out (the default).
- ``funding_aggregate_presence``: a row per holder, province and sector with the years of
  its non-cancelled projects as bits. Distinct counts for any mix of provinces, sectors,
  holder types and years (one, a range, none) are counted from it: a few tens of thousands
  of rows for the largest province, instead of its projects joined to their holders.

What they cannot answer reads the projects table, in one GROUPING SETS query: a filter on
communes (a few thousand projects at most, through the commune index), distinct counts
under an explicit status or programme filter, or the communes' breakdown under filters on
two dimensions at once (selective enough). The Django cache in funding.queries covers
repeated requests either way; nothing here is cached.
"""

# The SQL below is put together from table names and fixed fragments only; every value a
# request supplies is a query parameter.
# ruff: noqa: S608

from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from django.utils import translation

from cooperatives.models import Commune, Holder, HolderType, Province, Sector
from funding import territory
from funding.models import Programme, Project, ProjectStatus

CELLS = "funding_aggregate_cell"
HOLDERS = "funding_aggregate_holders"
PRESENCE = "funding_aggregate_presence"
TABLES = (CELLS, HOLDERS, PRESENCE)
TRIGGERS = (
    "funding_aggregate_project_inserted",
    "funding_aggregate_project_updated",
    "funding_aggregate_project_deleted",
)
MERGE_LOCK = 7_364_211_006  # the migration's merge lock

# The grains of funding_aggregate_cell, as the columns they keep (status is always kept), the
# smallest first (rows at a million projects): a query reads the first grain holding every
# column it needs. A grain's id is GROUPING() of CELL_COLUMNS: a bit per rolled-up column.
CELL_COLUMNS = ("year", "sector_id", "province_id", "commune_id", "programme_id", "holder_type")
NATION = frozenset({"year", "sector_id", "programme_id", "holder_type"})
PROVINCE = NATION | {"province_id"}
GRAINS = (
    frozenset({"year", "programme_id"}),  # ~400
    frozenset({"year", "sector_id"}),  # ~1,400
    frozenset({"commune_id"}),  # ~7,400
    NATION,  # ~11,000
    frozenset({"commune_id", "holder_type"}),  # ~24,000
    frozenset({"commune_id", "programme_id"}),  # ~28,000
    frozenset({"commune_id", "sector_id"}),  # ~63,000
    frozenset({"commune_id", "year"}),  # ~72,000
    PROVINCE,  # ~206,000
)
# The columns that can apply a public filter (funding.queries.FILTER_NAMES), any one of them:
# a province is its province_id or the set of its communes. Status is in every grain.
FILTER_COLUMNS = {
    "year": ("year",),
    "year_from": ("year",),
    "year_to": ("year",),
    "sector": ("sector_id",),
    "commune": ("commune_id",),
    "province": ("province_id", "commune_id"),
    "programme": ("programme_id",),
    "holder_type": ("holder_type",),
    "status": (),
}
# funding_aggregate_presence: bit n of years_early is 2005 + n (to 2067), of years_late 2068 + n.
FIRST_YEAR, LATE_YEAR, LAST_YEAR = 2005, 2068, 2100
CENT = Decimal("0.01")


def grouping_id(arguments, kept):
    """What PostgreSQL's GROUPING(*arguments) returns for a grouping set keeping `kept`."""
    return sum(1 << (len(arguments) - 1 - i) for i, name in enumerate(arguments) if name not in kept)


def available():
    """True where the aggregate tables exist: PostgreSQL, where migration 0006 creates them."""
    return connection.vendor == "postgresql"


# --- Reading ----------------------------------------------------------------------------------------------


def compute_summary(filters, *, lang):
    """Totals and breakdowns for `filters`, from the aggregate tables where they can answer.

    `filters` are normalised (funding.queries.normalise_filters: years as int, codes as
    sorted lists). The result equals funding.queries.compute_summary(filter_projects(filters),
    lang=lang): same keys, same rows, same order, Decimal amounts to the cent.
    """
    if lang not in {"ar", "fr", "en"}:
        raise ValueError(f"unknown language {lang!r}")
    # Each part of the summary from the smallest grain that can answer it; parts sharing a
    # grain in one query; what no grain can answer (a commune and a sector…) from the projects.
    by_grain = {}
    for sets, columns in PARTS:
        grain = grain_for(columns, filters)
        by_grain.setdefault(grain, []).extend(sets)
    raw_sets = by_grain.pop(None, [])
    groups = {}
    for grain, sets in by_grain.items():
        groups.update(_cell_groups(filters, grain, sets, lang=lang))
    if {"commune", "status", "programme"} & set(filters):
        # Distinct holders under these filters: from the projects, in the same query if there is one.
        distinct_sets = [s for s in (TOTALS, BY_SECTOR, BY_YEAR) if s not in raw_sets]
        distinct = _raw_groups(filters, raw_sets + distinct_sets, distinct=True, lang=lang)
        groups.update({s: rows for s, rows in distinct.items() if s in raw_sets})
    else:
        if raw_sets:
            groups.update(_raw_groups(filters, raw_sets, distinct=False, lang=lang))
        if "province" not in filters and _in_national_cube(filters):
            distinct = _cube_distinct(filters)
        else:
            distinct = _presence_distinct(filters, years=[row["year"] for row in groups[BY_YEAR]])
    return territory.with_census(_assemble(groups, distinct, lang=lang), lang=lang)


def count_and_cost(filters):
    """(projects, total cost) of the projects matching the normalised ``filters``, from the smallest grain
    that can apply them; None where no grain can (the caller sums the projects then).

    What the dashboard's "carried by cooperatives" figure needs, without a whole summary's breakdowns.
    """
    if not FILTER_COLUMNS.keys() >= filters.keys():
        return None
    grain = grain_for(frozenset({"year"}), filters)
    if grain is None:
        return None
    # GROUPING() needs a column: the totals come with the cheap by-year rows, which are dropped.
    rows = _cell_groups(filters, grain, [TOTALS, BY_YEAR], lang="fr")[TOTALS]
    if not rows:
        return 0, Decimal("0.00")
    return int(rows[0]["projects"]), _amount(rows[0]["total_cost"])


def grain_for(columns, filters):
    """The smallest grain with `columns` that can apply `filters`, or None."""
    for grain in GRAINS:
        if columns <= grain and all(
            not FILTER_COLUMNS[name] or any(column in grain for column in FILTER_COLUMNS[name])
            for name in filters
        ):
            return grain
    return None


# Grouping sets of the summary, by the columns they keep.
TOTALS, BY_SECTOR, BY_YEAR, BY_SECTOR_YEAR = (), ("sector_id",), ("year",), ("sector_id", "year")
BY_COMMUNE, BY_PROGRAMME, BY_STATUS = ("commune_id",), ("programme_id",), ("status",)
# The summary's parts: its grouping sets and the grain columns they need.
PARTS = (
    ((TOTALS, BY_SECTOR, BY_YEAR, BY_SECTOR_YEAR, BY_STATUS), frozenset({"year", "sector_id"})),
    ((BY_PROGRAMME,), frozenset({"programme_id"})),
    ((BY_COMMUNE,), frozenset({"commune_id"})),
)
GROUPED = ("sector_id", "year", "commune_id", "programme_id", "status")
_SQL_TYPE = {
    "sector_id": "bigint",
    "year": "smallint",
    "commune_id": "bigint",
    "programme_id": "bigint",
    "status": "varchar",
}


def _cell_groups(filters, grain, sets, *, lang):
    province_column = "province_id" if "province_id" in grain else "commune_id"
    where, params = _where(filters, "a", province_column=province_column)
    return _grouped(
        f"""SELECT {{columns}}, SUM(a.projects), SUM(a.total_cost), SUM(a.indh_contribution),
                   SUM(a.partner_contribution), SUM(a.holder_contribution), SUM(a.jobs), NULL, NULL
            FROM {CELLS} a WHERE a.grain = %s AND {where}
            GROUP BY GROUPING SETS {{sets}} HAVING SUM(a.projects) > 0""",
        [_cell_grain(grain), *params],
        sets=sets,
        alias="a",
        lang=lang,
    )


def _raw_groups(filters, sets, *, distinct, lang):
    """Grouping `sets` of the summary read from the projects themselves, in one query."""
    holders = (
        "COUNT(DISTINCT p.holder_id), COUNT(DISTINCT p.holder_id) FILTER (WHERE h.holder_type = %s)"
        if distinct
        else "NULL, NULL"
    )
    where, params = _where(filters, "p", province_column="commune_id", holder_type="h.holder_type")
    return _grouped(
        f"""SELECT {{columns}}, COUNT(*), SUM(p.total_cost), SUM(p.indh_contribution),
                   SUM(p.partner_contribution), SUM(p.holder_contribution), SUM(p.jobs_created), {holders}
            FROM {Project._meta.db_table} p JOIN {Holder._meta.db_table} h ON h.id = p.holder_id
            WHERE {where}
            GROUP BY GROUPING SETS {{sets}}""",
        ([HolderType.COOPERATIVE] if distinct else []) + params,
        sets=sets,
        alias="p",
        lang=lang,
    )


# The columns of funding_aggregate_cell's measures, in the table's order.
CELL_MEASURES = (
    "projects",
    "total_cost",
    "indh_contribution",
    "partner_contribution",
    "holder_contribution",
    "jobs",
)
# What a grouped query selects: the cells' measures, then the distinct holders and cooperatives.
MEASURES = (*CELL_MEASURES, "holders", "cooperatives")


def _grouped(sql, params, *, sets, alias, lang):
    """Run a GROUPING SETS query over `sets`; returns {grouping set: [row dicts]}, rows in order.

    `sql` selects ``{columns}`` then the eight MEASURES, and groups by ``{sets}``. The codes and
    labels of sectors, programmes and communes are joined in, and the rows sorted as
    funding.queries sorts them, by the database (its collation orders the communes' names).
    """
    grouped = [name for name in GROUPED if any(name in s for s in sets)]
    columns = [
        f"{alias}.{name} AS {name}" if name in grouped else f"NULL::{_SQL_TYPE[name]} AS {name}"
        for name in GROUPED
    ]
    select = ", ".join(
        [f"GROUPING({', '.join(f'{alias}.{name}' for name in grouped)}) AS grouping_id", *columns]
    )
    sets_sql = "(" + ", ".join("(" + ", ".join(f"{alias}.{name}" for name in s) + ")" for s in sets) + ")"
    sector, programme, commune = (model._meta.db_table for model in (Sector, Programme, Commune))
    labelled = f"""
        SELECT g.*, s.code, COALESCE(NULLIF(s.name_{lang}, ''), s.name_fr),
               r.code, COALESCE(NULLIF(r.name_{lang}, ''), r.name_fr),
               c.code, COALESCE(NULLIF(c.name_{lang}, ''), c.name_fr)
        FROM ({sql.format(columns=select, sets=sets_sql)}) g
        LEFT JOIN {sector} s ON s.id = g.sector_id
        LEFT JOIN {programme} r ON r.id = g.programme_id
        LEFT JOIN {commune} c ON c.id = g.commune_id
        ORDER BY 1, s.ordering, s.code, g.year, r.ordering, r.code, c.name_fr, c.code"""
    by_id = {grouping_id(grouped, s): s for s in sets}
    result = {s: [] for s in sets}
    names = (*GROUPED, *MEASURES)
    with connection.cursor() as cursor:
        cursor.execute(labelled, params)
        for grouping, *values in cursor.fetchall():
            row = dict(zip(names, values[: len(names)], strict=True))
            labels = values[len(names) :]
            for position, reference in enumerate(("sector", "programme", "commune")):
                row[reference] = {"code": labels[2 * position], "label": labels[2 * position + 1]}
            result[by_id[grouping]].append(row)
    return result


def _in_national_cube(filters):
    """Whether funding_aggregate_holders has the distinct counts of `filters` (module docstring)."""
    return set(filters) <= {"year", "sector", "holder_type"} and len(filters.get("sector", ())) <= 1


def _cube_distinct(filters):
    """Distinct holders and cooperatives, overall, per sector and per year, shaped as _raw_groups'."""
    year = filters.get("year")
    sector = (filters.get("sector") or [None])[0]

    def grain(has_year, has_sector):  # GROUPING(year, sector_id) of the holders table
        kept = {name for name, present in (("year", has_year), ("sector_id", has_sector)) if present}
        return grouping_id(("year", "sector_id"), kept)

    if sector is None:
        sector_sql, sector_params = "0", []
    else:
        sector_sql, sector_params = f"(SELECT id FROM {Sector._meta.db_table} WHERE code = %s)", [sector]
    totals_grain = grain(year is not None, sector is not None)
    sector_grain, year_grain = grain(year is not None, True), grain(True, sector is not None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT grain, year, sector_id, holder_type, SUM(holders), sector_id = {sector_sql}
                FROM {HOLDERS}
                WHERE (grain IN (%s, %s) AND year = %s) OR (grain = %s AND sector_id = {sector_sql})
                GROUP BY grain, year, sector_id, holder_type""",
            [*sector_params, totals_grain, sector_grain, year or 0, year_grain, *sector_params],
        )
        rows = cursor.fetchall()
    types = set(filters.get("holder_type") or HolderType.values)
    totals = {"holders": 0, "cooperatives": 0}
    by_sector, by_year = {}, {}
    for row_grain, row_year, row_sector, holder_type, holders, in_sector in rows:
        if holder_type not in types:
            continue
        cooperatives = holders if holder_type == HolderType.COOPERATIVE else 0
        if row_grain == totals_grain and row_year == (year or 0) and in_sector:
            totals["holders"] += holders
            totals["cooperatives"] += cooperatives
        if row_grain == sector_grain and row_year == (year or 0):
            by_sector[row_sector] = by_sector.get(row_sector, 0) + cooperatives
        if row_grain == year_grain and in_sector:
            by_year[row_year] = by_year.get(row_year, 0) + cooperatives
    return {
        TOTALS: [totals],
        BY_SECTOR: [{"sector_id": key, "cooperatives": n} for key, n in by_sector.items()],
        BY_YEAR: [{"year": key, "cooperatives": n} for key, n in by_year.items()],
    }


def _presence_distinct(filters, *, years):
    """Distinct holders and cooperatives from funding_aggregate_presence, shaped as _raw_groups'.

    `filters` may name years (one or a range), sectors, provinces and holder types; `years`
    are those of the by-year breakdown.
    """
    first = filters.get("year", filters.get("year_from", FIRST_YEAR))
    last = filters.get("year", filters.get("year_to", LAST_YEAR))
    early = sum(1 << (y - FIRST_YEAR) for y in range(max(first, FIRST_YEAR), min(last + 1, LATE_YEAR)))
    late = sum(1 << (y - LATE_YEAR) for y in range(max(first, LATE_YEAR), min(last, LAST_YEAR) + 1))
    conditions, params = ["((x.years_early & %s) <> 0 OR (x.years_late & %s) <> 0)"], [early, late]
    if "province" in filters:
        conditions.append(f"x.province_id IN (SELECT id FROM {Province._meta.db_table} WHERE code = ANY(%s))")
        params.append(filters["province"])
    if "sector" in filters:
        conditions.append(f"x.sector_id IN (SELECT id FROM {Sector._meta.db_table} WHERE code = ANY(%s))")
        params.append(filters["sector"])
    if "holder_type" in filters:
        conditions.append("x.holder_type = ANY(%s)")
        params.append(filters["holder_type"])
    # One province: a holder has one row per sector there, so rows need no DISTINCT.
    per_sector = "COUNT(*)" if len(filters.get("province", ())) == 1 else "COUNT(DISTINCT holder_id)"
    # One column per year of the breakdown, counted in one pass over the holders.
    year_bits = [
        f"(early >> {y - FIRST_YEAR}) & 1" if y < LATE_YEAR else f"(late >> {y - LATE_YEAR}) & 1"
        for y in years
    ]
    per_year = ", ".join(f"SUM({bit}) FILTER (WHERE holder_type = %s)" for bit in year_bits) or "NULL"
    coop = HolderType.COOPERATIVE
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH hit AS (SELECT * FROM {PRESENCE} x WHERE {" AND ".join(conditions)})
                SELECT NULL, COUNT(*), COUNT(*) FILTER (WHERE holder_type = %s), ARRAY[{per_year}]::bigint[]
                FROM (SELECT holder_id, holder_type, bit_or(years_early) AS early, bit_or(years_late) AS late
                      FROM hit GROUP BY holder_id, holder_type) holder
                UNION ALL
                SELECT sector_id, NULL, {per_sector}, NULL FROM hit WHERE holder_type = %s
                GROUP BY sector_id""",
            [*params, coop, *[coop] * len(year_bits), coop],
        )
        rows = cursor.fetchall()
    result = {TOTALS: [], BY_SECTOR: [], BY_YEAR: []}
    for sector_id, holders, cooperatives, per_year_counts in rows:
        if sector_id is None:
            result[TOTALS].append({"holders": holders, "cooperatives": cooperatives})
            if years:
                result[BY_YEAR] = [
                    {"year": y, "cooperatives": n or 0} for y, n in zip(years, per_year_counts, strict=True)
                ]
        else:
            result[BY_SECTOR].append({"sector_id": sector_id, "cooperatives": cooperatives})
    return result


def _cell_grain(kept):
    return grouping_id(CELL_COLUMNS, kept)


def _where(filters, alias, *, province_column, holder_type=None):
    """SQL condition (and parameters) for normalised `filters` on table `alias`.

    `province_column` is how the table knows a province: its own province_id, or commune_id.
    """
    sector, commune, province, programme = (
        model._meta.db_table for model in (Sector, Commune, Province, Programme)
    )
    provinces = f"SELECT id FROM {province} WHERE code = ANY(%s)"
    conditions, params = [], []
    for name, value in filters.items():
        if name == "year":
            conditions.append(f"{alias}.year = %s")
        elif name == "year_from":
            conditions.append(f"{alias}.year >= %s")
        elif name == "year_to":
            conditions.append(f"{alias}.year <= %s")
        elif name == "sector":
            conditions.append(f"{alias}.sector_id IN (SELECT id FROM {sector} WHERE code = ANY(%s))")
        elif name == "commune":
            conditions.append(f"{alias}.commune_id IN (SELECT id FROM {commune} WHERE code = ANY(%s))")
        elif name == "province" and province_column == "province_id":
            conditions.append(f"{alias}.province_id IN ({provinces})")
        elif name == "province":
            conditions.append(
                f"{alias}.commune_id IN (SELECT id FROM {commune} WHERE province_id IN ({provinces}))"
            )
        elif name == "programme":
            conditions.append(f"{alias}.programme_id IN (SELECT id FROM {programme} WHERE code = ANY(%s))")
        elif name == "holder_type":
            conditions.append(f"{holder_type or alias + '.holder_type'} = ANY(%s)")
        elif name == "status":
            conditions.append(f"{alias}.status = ANY(%s)")
        params.append(value)
    if "status" not in filters:
        conditions.append(f"{alias}.status <> %s")
        params.append(ProjectStatus.CANCELLED)
    return " AND ".join(conditions), params


def _assemble(groups, distinct, *, lang):
    """The summary dict (funding.queries.compute_summary's shape) from grouped rows."""
    sector_coops = {row["sector_id"]: row["cooperatives"] for row in distinct[BY_SECTOR]}
    year_coops = {row["year"]: row["cooperatives"] for row in distinct[BY_YEAR]}
    totals_row = (groups[TOTALS] or [{}])[0]
    counted = (distinct[TOTALS] or [{}])[0]
    projects = int(totals_row.get("projects") or 0)
    totals = {
        "projects": projects,
        "holders": int(counted.get("holders") or 0) if projects else 0,
        "cooperatives": int(counted.get("cooperatives") or 0) if projects else 0,
        **{name: _amount(totals_row.get(name)) for name in _AMOUNTS},
        "jobs": int(totals_row.get("jobs") or 0),
    }
    with translation.override(lang):
        status_labels = {value: str(label) for value, label in ProjectStatus.choices}
    return {
        "totals": totals,
        "by_sector": [
            {
                **row["sector"],
                "projects": int(row["projects"]),
                "cooperatives": int(sector_coops.get(row["sector_id"], 0)),
                **_money(row),
            }
            for row in groups[BY_SECTOR]
        ],
        "by_year": [
            {
                "year": row["year"],
                "projects": int(row["projects"]),
                "cooperatives": int(year_coops.get(row["year"], 0)),
                **_money(row),
            }
            for row in groups[BY_YEAR]
        ],
        "by_sector_year": [
            {
                "code": row["sector"]["code"],
                "year": row["year"],
                "projects": int(row["projects"]),
                **_money(row),
            }
            for row in groups[BY_SECTOR_YEAR]
        ],
        "by_commune": [
            {**row["commune"], "projects": int(row["projects"]), **_money(row)} for row in groups[BY_COMMUNE]
        ],
        "by_programme": [
            {**row["programme"], "projects": int(row["projects"]), **_money(row)}
            for row in groups[BY_PROGRAMME]
        ],
        "by_status": [
            {
                "code": row["status"],
                "label": status_labels[row["status"]],
                "projects": int(row["projects"]),
                "total_cost": _amount(row["total_cost"]),
            }
            for row in sorted(groups[BY_STATUS], key=lambda row: ProjectStatus.values.index(row["status"]))
        ],
    }


_AMOUNTS = ("total_cost", "indh_contribution", "partner_contribution", "holder_contribution")


def _amount(value):
    return (value or Decimal("0")).quantize(CENT)


def _money(row):
    return {"total_cost": _amount(row["total_cost"]), "indh_contribution": _amount(row["indh_contribution"])}


def project_years(*, province_ids=None):
    """The years with projects (of any status), nationally or in the given provinces, in order."""
    if province_ids is None:
        condition, params = "", [_cell_grain(NATION)]
    else:
        condition, params = "AND province_id = ANY(%s)", [_cell_grain(PROVINCE), list(province_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT year FROM {CELLS} WHERE grain = %s {condition} GROUP BY year HAVING SUM(projects) > 0 "
            "ORDER BY year",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


# --- Upkeep -----------------------------------------------------------------------------------------------


def rebuild():
    """Recompute both tables from the projects (after a bulk load made with suspended())."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT funding_aggregate_rebuild()")


CELL_KEY = "grain, year, sector_id, province_id, commune_id, programme_id, status, holder_type"
HOLDERS_KEY = "grain, year, sector_id, holder_type"
PRESENCE_COLUMNS = "holder_id, holder_type, province_id, sector_id, years_early, years_late"


def compact():
    """Merge every cell's delta rows into one (the triggers merge what they touch; this is the rest)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MERGE_LOCK])
        for table, key, measures in ((CELLS, CELL_KEY, CELL_MEASURES), (HOLDERS, HOLDERS_KEY, ("holders",))):
            cursor.execute(
                f"""WITH gone AS (DELETE FROM {table} RETURNING *)
                    INSERT INTO {table} SELECT {key}, {", ".join(f"SUM({m})" for m in measures)}
                    FROM gone GROUP BY {key} HAVING {" OR ".join(f"SUM({m}) <> 0" for m in measures)}"""
            )


def drift():
    """Rows where the tables disagree with a recomputation from the projects; [] when in step."""
    compared = [
        (
            CELLS,
            f"SELECT {CELL_KEY}, {', '.join(f'SUM({m})' for m in CELL_MEASURES)} FROM {CELLS} "
            f"GROUP BY {CELL_KEY} HAVING {' OR '.join(f'SUM({m}) <> 0' for m in CELL_MEASURES)}",
            f"SELECT {CELL_KEY}, {', '.join(CELL_MEASURES)} FROM funding_aggregate_cell_fresh",
        ),
        (
            HOLDERS,
            f"SELECT {HOLDERS_KEY}, SUM(holders) FROM {HOLDERS} "
            f"GROUP BY {HOLDERS_KEY} HAVING SUM(holders) <> 0",
            f"SELECT {HOLDERS_KEY}, holders FROM funding_aggregate_holders_fresh",
        ),
        (
            PRESENCE,
            f"SELECT {PRESENCE_COLUMNS} FROM {PRESENCE}",
            f"SELECT {PRESENCE_COLUMNS} FROM funding_aggregate_presence_fresh",
        ),
    ]
    differences = []
    with connection.cursor() as cursor:
        for table, stored, fresh in compared:
            cursor.execute(f"({stored} EXCEPT ALL {fresh})")
            differences += [(table, "stored", row) for row in cursor.fetchall()]
            cursor.execute(f"({fresh} EXCEPT ALL {stored})")
            differences += [(table, "expected", row) for row in cursor.fetchall()]
    return differences


@contextmanager
def suspended():
    """Turn the project triggers off for a bulk load, then rebuild; inside the caller's transaction.

    ALTER TABLE locks the projects table until the transaction ends, so no other writer
    can slip a change past the disabled triggers.
    """
    table = connection.ops.quote_name(Project._meta.db_table)
    with connection.cursor() as cursor:
        # A table with foreign-key checks still deferred cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the load's own deferred checks, likewise
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    rebuild()
