"""Aggregate tables for the public figures at national scale (issue 6), PostgreSQL only.

funding/aggregates.py reads them (its docstring explains which table answers what); this
migration creates them, fills them from the existing projects and installs the triggers
that keep them current:

- funding_aggregate_cell: project counts, amounts and jobs per status and per "grain": the
  nation and each province (year × sector × programme × holder type), the nation by year and
  sector and by year and programme, and the communes (alone, or by year, sector, programme
  or holder type). The grain's id is GROUPING() of
  (year, sector_id, province_id, commune_id, programme_id, holder_type); a rolled-up column
  holds 0 ('' for holder_type).
- funding_aggregate_holders: distinct holders of non-cancelled projects per holder type,
  nationally: overall, per year, per sector, per (year, sector).
- funding_aggregate_presence: one row per holder, province and sector with non-cancelled
  projects, with the years of those projects as bits (years_early: bit n is 2005 + n, up to
  2067; years_late: bit n is 2068 + n).

Statement-level triggers with transition tables catch every write path (admin, import,
bulk_create, queryset.update(), raw SQL, COPY) on projects, and the changes of a holder's
type or a commune's province. Counts and sums are added as signed delta rows, so concurrent
writers never wait on a shared total row; the cells a statement touched are merged back to
one row each by one transaction at a time (pg_try_advisory_xact_lock: a writer that cannot
take it leaves its delta row for a later merge; reads sum a cell's rows anyway). Writers to
the projects of one holder take that holder's row lock first, and share-lock the communes
they write in, so distinct counts and provinces are computed against committed data.

SQLite installations (one province) keep reading the projects table directly.
"""

from django.db import migrations

# The SQL is put together from the constants below only (no value from outside).
# ruff: noqa: S608

MERGE_LOCK = 7_364_211_006  # pg_try_advisory_xact_lock key of the merge step

COLUMNS = ("year", "sector_id", "province_id", "commune_id", "programme_id", "holder_type")
GRAIN_SETS = [
    ("year", "sector_id"),  # the nation, small grains for the unfiltered page and a year or sector
    ("year", "programme_id"),
    ("year", "sector_id", "programme_id", "holder_type"),  # the nation
    ("province_id", "year", "sector_id", "programme_id", "holder_type"),  # each province
    ("commune_id",),
    ("commune_id", "year"),
    ("commune_id", "sector_id"),
    ("commune_id", "programme_id"),
    ("commune_id", "holder_type"),
]


def grouping_id(kept):
    return sum(1 << (len(COLUMNS) - 1 - i) for i, name in enumerate(COLUMNS) if name not in kept)


GRAINS = [grouping_id(kept) for kept in GRAIN_SETS]
SETS_SQL = ", ".join("(" + ", ".join(f"c.{name}" for name in kept) + ")" for kept in GRAIN_SETS)
GROUPING_SQL = "GROUPING(" + ", ".join(f"c.{name}" for name in COLUMNS) + ")"

CELL_KEY = "grain, year, sector_id, province_id, commune_id, programme_id, status, holder_type"
CELL_MEASURES = (
    "projects", "total_cost", "indh_contribution", "partner_contribution", "holder_contribution", "jobs"
)

# Signed changes (sign, the columns, the measures) grouped into every grain.
CELLS_OF = f"""
    SELECT {GROUPING_SQL}::smallint AS grain,
           COALESCE(c.year, 0)::smallint AS year, COALESCE(c.sector_id, 0) AS sector_id,
           COALESCE(c.province_id, 0) AS province_id, COALESCE(c.commune_id, 0) AS commune_id,
           COALESCE(c.programme_id, 0) AS programme_id, c.status, COALESCE(c.holder_type, '') AS holder_type,
           SUM(c.sign) AS projects, SUM(c.sign * c.total_cost) AS total_cost,
           SUM(c.sign * c.indh_contribution) AS indh_contribution,
           SUM(c.sign * c.partner_contribution) AS partner_contribution,
           SUM(c.sign * c.holder_contribution) AS holder_contribution, SUM(c.sign * c.jobs)::bigint AS jobs
    FROM ({{changes}}) c
    GROUP BY c.status, GROUPING SETS ({SETS_SQL})
    HAVING SUM(c.sign) <> 0 OR SUM(c.sign * c.total_cost) <> 0 OR SUM(c.sign * c.indh_contribution) <> 0
        OR SUM(c.sign * c.partner_contribution) <> 0 OR SUM(c.sign * c.holder_contribution) <> 0
        OR SUM(c.sign * c.jobs) <> 0
"""

# A project's row as a change: its holder's type and its commune's province joined in.
CHANGE_COLUMNS = """p.year, p.sector_id, m.province_id, p.commune_id, p.programme_id, p.status, h.holder_type,
           p.total_cost, p.indh_contribution, p.partner_contribution, p.holder_contribution, p.jobs_created"""

HOLDERS_OF = """
    SELECT GROUPING(x.year, x.sector_id)::smallint AS grain, COALESCE(x.year, 0)::smallint AS year,
           COALESCE(x.sector_id, 0) AS sector_id, x.holder_type, {count} AS holders
    FROM ({rows}) x
    GROUP BY x.holder_type, GROUPING SETS ((x.year, x.sector_id), (x.year), (x.sector_id), ())
"""

# The presence rows of the holders selected by {where} (on p, the projects), from the projects.
PRESENCE_OF = """
    SELECT p.holder_id, h.holder_type, m.province_id, p.sector_id,
           bit_or(CASE WHEN p.year < 2068 THEN 1::bigint << (p.year - 2005) ELSE 0 END) AS years_early,
           bit_or(CASE WHEN p.year >= 2068 THEN 1::bigint << (p.year - 2068) ELSE 0 END) AS years_late
    FROM funding_project p
    JOIN cooperatives_holder h ON h.id = p.holder_id
    JOIN cooperatives_commune m ON m.id = p.commune_id
    WHERE p.status <> 'cancelled' AND {where}
    GROUP BY p.holder_id, h.holder_type, m.province_id, p.sector_id
"""


# Those of the projects and holders in the array holder_ids (the planner then uses the indexes).
OF_HOLDERS = "p.holder_id IN (SELECT unnest(holder_ids)) AND h.id IN (SELECT unnest(holder_ids))"

# The holders whose type an UPDATE changed: a -1 row with the old type, a +1 row with the new.
RETYPED = """SELECT n.id, s.sign,
                     CASE WHEN s.sign > 0 THEN n.holder_type ELSE o.holder_type END AS holder_type
              FROM new_rows n JOIN old_rows o ON o.id = n.id CROSS JOIN (VALUES (1), (-1)) s(sign)
              WHERE n.holder_type IS DISTINCT FROM o.holder_type"""


PARTITIONS = "\n".join(
    f"CREATE TABLE funding_aggregate_cell_{g} PARTITION OF funding_aggregate_cell FOR VALUES IN ({g});"
    for g in GRAINS
)
FRESH_CHANGES = f"""SELECT 1 AS sign, {CHANGE_COLUMNS.replace("p.jobs_created", "p.jobs_created AS jobs")}
    FROM funding_project p JOIN cooperatives_holder h ON h.id = p.holder_id
    JOIN cooperatives_commune m ON m.id = p.commune_id"""
FRESH_HOLDERS = """SELECT p.holder_id, p.year, p.sector_id, h.holder_type
    FROM funding_project p JOIN cooperatives_holder h ON h.id = p.holder_id
    WHERE p.status <> 'cancelled'"""


def merge(table, key, measures):
    """PL/pgSQL: merge the rows of the cells in the array `touched` into one row each."""
    on = " AND ".join(f"a.{column} = k.{column}" for column in key.split(", "))
    return f"""
    IF touched IS NULL OR NOT pg_try_advisory_xact_lock({MERGE_LOCK}) THEN
        RETURN;
    END IF;
    WITH gone AS (
        DELETE FROM {table} a USING (SELECT DISTINCT {key} FROM unnest(touched)) k
        WHERE {on}
        RETURNING a.*
    )
    INSERT INTO {table}
    SELECT {key}, {", ".join(f"SUM({m})" for m in measures)} FROM gone GROUP BY {key}
    HAVING {" OR ".join(f"SUM({m}) <> 0" for m in measures)};"""


POSTGRES = f"""
CREATE TABLE funding_aggregate_cell (
    grain smallint NOT NULL,
    year smallint NOT NULL,
    sector_id bigint NOT NULL,
    province_id bigint NOT NULL,
    commune_id bigint NOT NULL,
    programme_id bigint NOT NULL,
    status varchar(20) NOT NULL,
    holder_type varchar(20) NOT NULL,
    projects bigint NOT NULL,
    total_cost numeric NOT NULL,
    indh_contribution numeric NOT NULL,
    partner_contribution numeric NOT NULL,
    holder_contribution numeric NOT NULL,
    jobs bigint NOT NULL
) PARTITION BY LIST (grain);
{PARTITIONS}
CREATE INDEX funding_aggregate_cell_key ON funding_aggregate_cell
    (grain, province_id, commune_id, year, sector_id, programme_id, status, holder_type);

CREATE TABLE funding_aggregate_holders (
    grain smallint NOT NULL,
    year smallint NOT NULL,
    sector_id bigint NOT NULL,
    holder_type varchar(20) NOT NULL,
    holders bigint NOT NULL
);
CREATE INDEX funding_aggregate_holders_key ON funding_aggregate_holders (grain, year, sector_id, holder_type);

CREATE TABLE funding_aggregate_presence (
    holder_id bigint NOT NULL,
    holder_type varchar(20) NOT NULL,
    province_id bigint NOT NULL,
    sector_id bigint NOT NULL,
    years_early bigint NOT NULL,
    years_late bigint NOT NULL,
    PRIMARY KEY (holder_id, province_id, sector_id)
);
-- Covering: a province's rows are read from the index alone.
CREATE INDEX funding_aggregate_presence_place ON funding_aggregate_presence (province_id, sector_id)
    INCLUDE (holder_id, holder_type, years_early, years_late);

-- What the tables must hold, computed from the projects: used to fill them and to check them.
CREATE VIEW funding_aggregate_cell_fresh AS
{CELLS_OF.format(changes=FRESH_CHANGES)};

CREATE VIEW funding_aggregate_holders_fresh AS
{HOLDERS_OF.format(count="COUNT(DISTINCT x.holder_id)", rows=FRESH_HOLDERS)};

CREATE VIEW funding_aggregate_presence_fresh AS
{PRESENCE_OF.format(where="TRUE")};

CREATE TYPE funding_aggregate_change AS (
    sign integer, year smallint, sector_id bigint, province_id bigint, commune_id bigint, programme_id bigint,
    status varchar(20), holder_type varchar(20), total_cost numeric, indh_contribution numeric,
    partner_contribution numeric, holder_contribution numeric, jobs bigint
);
CREATE TYPE funding_aggregate_where AS (
    sign integer, holder_id bigint, holder_type varchar(20), year smallint, sector_id bigint
);

-- Add signed changes to the cells, then merge the touched cells (one merger at a time).
CREATE FUNCTION funding_aggregate_add_cells(changes funding_aggregate_change[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    touched funding_aggregate_cell[];
BEGIN
    WITH added AS (
        INSERT INTO funding_aggregate_cell {CELLS_OF.format(changes="SELECT * FROM unnest(changes)")}
        RETURNING *
    )
    SELECT array_agg(added) INTO touched FROM added;
    {merge("funding_aggregate_cell", CELL_KEY, CELL_MEASURES)}
END;
$$;

-- Change the national distinct-holder counts: +1 rows say where holders are now, -1 rows
-- where they were (both lists complete for the holders concerned).
CREATE FUNCTION funding_aggregate_add_holders(moves funding_aggregate_where[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    touched funding_aggregate_holders[];
BEGIN
    WITH added AS (
        INSERT INTO funding_aggregate_holders
        SELECT * FROM ({HOLDERS_OF.format(
            count="COUNT(DISTINCT x.holder_id) FILTER (WHERE x.sign > 0) "
            "- COUNT(DISTINCT x.holder_id) FILTER (WHERE x.sign < 0)",
            rows="SELECT * FROM unnest(moves)",
        )}) counted
        WHERE holders <> 0
        RETURNING *
    )
    SELECT array_agg(added) INTO touched FROM added;
    {merge("funding_aggregate_holders", "grain, year, sector_id, holder_type", ("holders",))}
END;
$$;

-- Projects `after` replaced projects `before` (either may be empty): apply the difference.
CREATE FUNCTION funding_aggregate_apply(after funding_project[], before funding_project[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    holder_ids bigint[];
BEGIN
    IF cardinality(after) = 0 AND cardinality(before) = 0 THEN
        RETURN;
    END IF;
    holder_ids := ARRAY(SELECT holder_id FROM unnest(after) UNION SELECT holder_id FROM unnest(before));
    -- "IN (SELECT unnest(holder_ids))" rather than "= ANY(holder_ids)", and on the holders' side of
    -- every join: the planner then knows the set is small and uses the indexes instead of reading
    -- every project or every holder.
    -- Lock the communes (their province must not change meanwhile), then the holders, each in a
    -- fixed order, so that writers queue instead of deadlocking. The statements below run after
    -- the wait: they see what the other writer committed.
    PERFORM 1 FROM cooperatives_commune
    WHERE id IN (SELECT commune_id FROM unnest(after) UNION SELECT commune_id FROM unnest(before))
    ORDER BY id FOR SHARE;
    PERFORM 1 FROM cooperatives_holder WHERE id IN (SELECT unnest(holder_ids)) ORDER BY id FOR NO KEY UPDATE;

    PERFORM funding_aggregate_add_cells(ARRAY(
        SELECT ROW(p.sign, {CHANGE_COLUMNS})::funding_aggregate_change
        FROM (SELECT 1 AS sign, * FROM unnest(after) UNION ALL SELECT -1, * FROM unnest(before)) p
        JOIN cooperatives_holder h ON h.id = p.holder_id AND h.id IN (SELECT unnest(holder_ids))
        JOIN cooperatives_commune m ON m.id = p.commune_id
    ));

    PERFORM funding_aggregate_add_holders(ARRAY(
        WITH now AS (
            SELECT p.id, p.holder_id, p.year, p.sector_id, p.status FROM funding_project p
            WHERE p.holder_id IN (SELECT unnest(holder_ids))
        ),
        was AS (
            SELECT * FROM now WHERE id NOT IN (SELECT id FROM unnest(after))
            UNION ALL
            SELECT id, holder_id, year, sector_id, status FROM unnest(before)
        )
        SELECT ROW(x.sign, x.holder_id, h.holder_type, x.year, x.sector_id)::funding_aggregate_where
        FROM (SELECT 1 AS sign, * FROM now UNION ALL SELECT -1, * FROM was) x
        JOIN cooperatives_holder h ON h.id = x.holder_id AND h.id IN (SELECT unnest(holder_ids))
        WHERE x.status <> 'cancelled'
    ));

    DELETE FROM funding_aggregate_presence WHERE holder_id IN (SELECT unnest(holder_ids));
    INSERT INTO funding_aggregate_presence {PRESENCE_OF.format(where=OF_HOLDERS)};
END;
$$;

CREATE FUNCTION funding_aggregate_project_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funding_aggregate_apply(ARRAY(SELECT n::funding_project FROM new_rows n), '{{}}');
    RETURN NULL;
END;
$$;

CREATE FUNCTION funding_aggregate_project_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funding_aggregate_apply('{{}}', ARRAY(SELECT o::funding_project FROM old_rows o));
    RETURN NULL;
END;
$$;

-- Only the rows whose aggregated columns changed: a title or notes edit costs nothing more.
CREATE FUNCTION funding_aggregate_project_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM funding_aggregate_apply(
        ARRAY(SELECT n::funding_project FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE
              (n.holder_id, n.year, n.sector_id, n.commune_id, n.programme_id, n.status, n.total_cost,
               n.indh_contribution, n.partner_contribution, n.holder_contribution, n.jobs_created)
              IS DISTINCT FROM
              (o.holder_id, o.year, o.sector_id, o.commune_id, o.programme_id, o.status, o.total_cost,
               o.indh_contribution, o.partner_contribution, o.holder_contribution, o.jobs_created)),
        ARRAY(SELECT o::funding_project FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE
              (n.holder_id, n.year, n.sector_id, n.commune_id, n.programme_id, n.status, n.total_cost,
               n.indh_contribution, n.partner_contribution, n.holder_contribution, n.jobs_created)
              IS DISTINCT FROM
              (o.holder_id, o.year, o.sector_id, o.commune_id, o.programme_id, o.status, o.total_cost,
               o.indh_contribution, o.partner_contribution, o.holder_contribution, o.jobs_created))
    );
    RETURN NULL;
END;
$$;

-- A holder changing type moves its projects (and itself) from one holder type to the other.
-- The UPDATE already holds the holder's row lock.
CREATE FUNCTION funding_aggregate_holder_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE n.holder_type IS DISTINCT FROM o.holder_type) THEN
        RETURN NULL;  -- a name or members edit: nothing the figures use
    END IF;
    PERFORM funding_aggregate_add_cells(ARRAY(
        SELECT ROW(s.sign, p.year, p.sector_id, m.province_id, p.commune_id, p.programme_id, p.status,
                   s.holder_type, p.total_cost, p.indh_contribution, p.partner_contribution,
                   p.holder_contribution, p.jobs_created)::funding_aggregate_change
        FROM ({RETYPED}) s
        JOIN funding_project p ON p.holder_id = s.id
        JOIN cooperatives_commune m ON m.id = p.commune_id
    ));
    PERFORM funding_aggregate_add_holders(ARRAY(
        SELECT ROW(s.sign, p.holder_id, s.holder_type, p.year, p.sector_id)::funding_aggregate_where
        FROM ({RETYPED}) s JOIN funding_project p ON p.holder_id = s.id
        WHERE p.status <> 'cancelled'
    ));
    UPDATE funding_aggregate_presence a SET holder_type = s.holder_type
    FROM ({RETYPED}) s WHERE s.sign > 0 AND a.holder_id = s.id;
    RETURN NULL;
END;
$$;

-- A commune moving to another province moves its projects with it. The UPDATE holds the
-- commune's row lock (project writers share-lock it, so they wait); the holders are locked
-- before anything is read, as project writers do.
CREATE FUNCTION funding_aggregate_commune_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    holder_ids bigint[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE n.province_id IS DISTINCT FROM o.province_id) THEN
        RETURN NULL;  -- a renamed commune: nothing the figures use
    END IF;
    holder_ids := ARRAY(
        SELECT DISTINCT p.holder_id FROM funding_project p
        JOIN new_rows n ON n.id = p.commune_id JOIN old_rows o ON o.id = n.id
        WHERE n.province_id IS DISTINCT FROM o.province_id
    );
    PERFORM 1 FROM cooperatives_holder WHERE id IN (SELECT unnest(holder_ids)) ORDER BY id FOR NO KEY UPDATE;
    PERFORM funding_aggregate_add_cells(ARRAY(
        SELECT ROW(s.sign, p.year, p.sector_id, s.province_id, p.commune_id, p.programme_id, p.status,
                   h.holder_type, p.total_cost, p.indh_contribution, p.partner_contribution,
                   p.holder_contribution, p.jobs_created)::funding_aggregate_change
        FROM (SELECT n.id, s.sign,
                     CASE WHEN s.sign > 0 THEN n.province_id ELSE o.province_id END AS province_id
              FROM new_rows n JOIN old_rows o ON o.id = n.id CROSS JOIN (VALUES (1), (-1)) s(sign)
              WHERE n.province_id IS DISTINCT FROM o.province_id) s
        JOIN funding_project p ON p.commune_id = s.id
        JOIN cooperatives_holder h ON h.id = p.holder_id
    ));
    DELETE FROM funding_aggregate_presence WHERE holder_id IN (SELECT unnest(holder_ids));
    INSERT INTO funding_aggregate_presence {PRESENCE_OF.format(where=OF_HOLDERS)};
    RETURN NULL;
END;
$$;

CREATE FUNCTION funding_aggregate_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE funding_aggregate_cell, funding_aggregate_holders, funding_aggregate_presence;
    RETURN NULL;
END;
$$;

-- Recompute everything from the projects (after a bulk load made with the triggers disabled).
CREATE FUNCTION funding_aggregate_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Grouping a million rows in memory rather than in temporary files (this transaction only).
    PERFORM set_config('work_mem', '256MB', true);
    TRUNCATE funding_aggregate_cell, funding_aggregate_holders, funding_aggregate_presence;
    -- In the order reads look rows up, so that a province's or a commune's rows share pages.
    INSERT INTO funding_aggregate_cell SELECT * FROM funding_aggregate_cell_fresh
        ORDER BY grain, province_id, commune_id, year, sector_id;
    INSERT INTO funding_aggregate_holders SELECT * FROM funding_aggregate_holders_fresh;
    INSERT INTO funding_aggregate_presence SELECT * FROM funding_aggregate_presence_fresh
        ORDER BY province_id, sector_id;
    ANALYZE funding_aggregate_cell;
    ANALYZE funding_aggregate_holders;
    ANALYZE funding_aggregate_presence;
END;
$$;

CREATE TRIGGER funding_aggregate_project_inserted AFTER INSERT ON funding_project
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funding_aggregate_project_inserted();
CREATE TRIGGER funding_aggregate_project_updated AFTER UPDATE ON funding_project
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funding_aggregate_project_updated();
CREATE TRIGGER funding_aggregate_project_deleted AFTER DELETE ON funding_project
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funding_aggregate_project_deleted();
CREATE TRIGGER funding_aggregate_project_truncated AFTER TRUNCATE ON funding_project
    FOR EACH STATEMENT EXECUTE FUNCTION funding_aggregate_truncated();
CREATE TRIGGER funding_aggregate_holder_updated AFTER UPDATE ON cooperatives_holder
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funding_aggregate_holder_updated();
CREATE TRIGGER funding_aggregate_commune_updated AFTER UPDATE ON cooperatives_commune
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION funding_aggregate_commune_updated();

SELECT funding_aggregate_rebuild();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS funding_aggregate_commune_updated ON cooperatives_commune;
DROP TRIGGER IF EXISTS funding_aggregate_holder_updated ON cooperatives_holder;
DROP TRIGGER IF EXISTS funding_aggregate_project_truncated ON funding_project;
DROP TRIGGER IF EXISTS funding_aggregate_project_deleted ON funding_project;
DROP TRIGGER IF EXISTS funding_aggregate_project_updated ON funding_project;
DROP TRIGGER IF EXISTS funding_aggregate_project_inserted ON funding_project;
DROP FUNCTION IF EXISTS funding_aggregate_rebuild();
DROP FUNCTION IF EXISTS funding_aggregate_truncated();
DROP FUNCTION IF EXISTS funding_aggregate_commune_updated();
DROP FUNCTION IF EXISTS funding_aggregate_holder_updated();
DROP FUNCTION IF EXISTS funding_aggregate_project_updated();
DROP FUNCTION IF EXISTS funding_aggregate_project_deleted();
DROP FUNCTION IF EXISTS funding_aggregate_project_inserted();
DROP FUNCTION IF EXISTS funding_aggregate_apply(funding_project[], funding_project[]);
DROP FUNCTION IF EXISTS funding_aggregate_add_holders(funding_aggregate_where[]);
DROP FUNCTION IF EXISTS funding_aggregate_add_cells(funding_aggregate_change[]);
DROP TYPE IF EXISTS funding_aggregate_where;
DROP TYPE IF EXISTS funding_aggregate_change;
DROP VIEW IF EXISTS funding_aggregate_presence_fresh;
DROP VIEW IF EXISTS funding_aggregate_holders_fresh;
DROP VIEW IF EXISTS funding_aggregate_cell_fresh;
DROP TABLE IF EXISTS funding_aggregate_presence;
DROP TABLE IF EXISTS funding_aggregate_holders;
DROP TABLE IF EXISTS funding_aggregate_cell;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0002_initial"),
        ("funding", "0005_validate_permission"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
