"""A synthetic national dataset for load tests (issue 6): holders and projects in the real territory.

The holders and projects are spread over the kingdom's real provinces and communes (HCP's
nomenclature, cooperatives/territory.py): all 1,503 communes by default, or the P most populous
provinces and the C most populous communes of each when asked for fewer. No territory is invented
and none is changed. What this module creates is marked by a code, so that it can be found and
removed again without a column of its own in the product's tables:

- every synthetic project's code starts with ``SYN-``;
- every synthetic holder's registration number starts with ``SYN-`` (a real one never does).

The same seed and sizes always give the same rows (same codes, names, amounts), on
PostgreSQL and SQLite alike: every random draw comes from a ``random.Random`` seeded
per stage, and rows are drawn in fixed-size chunks.

Speed: on PostgreSQL the rows are streamed with psycopg 3's COPY (a million projects in
a few minutes on two cores); elsewhere bulk_create is the fallback. Neither path sends
Django signals, so no django-simple-history rows are written: synthetic rows have no
audit history, on purpose (they were never entered by anyone, and a million historical
rows would double the load time). An edit made later in the admin is recorded as usual.

Distributions, roughly as INDH reports them: holders are drawn in proportion to the square
root of their commune's 2024 population (towns have more, but INDH reaches rural communes
too); most holders are cooperatives; agriculture and handicrafts dominate the sectors;
phase III (2019–2025) has more projects per year than phases I and II; old projects are
completed (a few cancelled), recent ones are programmed, approved or in progress; costs are
log-normal around 350,000 MAD. Amounts respect the database constraints: INDH ≤ total cost,
and the three shares exceed the total cost by at most 1 MAD (some projects have a funding
gap, a few a rounding excess).
"""

import datetime
import math
import random
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from cooperatives.models import Commune, Holder, HolderType, Sector
from funding.models import Disbursement, PartnerContribution, Programme, Project, ProjectStatus

# The mark of a synthetic project's code and of a synthetic holder's registration number.
PREFIX = "SYN-"
DEFAULT_SEED = 2025
# Rows are drawn and written this many at a time. Part of the reproducibility contract:
# changing it changes the dataset a seed gives.
CHUNK = 20_000

FIRST_YEAR, LAST_YEAR = 2005, 2025
# Projects per year, relative: phase I (2005–2010), phase II (2011–2018), phase III (2019–).
YEAR_WEIGHTS = {
    year: 2 if year <= 2010 else 3 if year <= 2018 else 5 for year in range(FIRST_YEAR, LAST_YEAR + 1)
}
SECTOR_WEIGHTS = {
    "agriculture": 32, "handicrafts": 27, "tourism": 9, "food": 7, "argan": 4, "aromatic-plants": 5,
    "forestry": 2, "fishing": 2, "housing": 1, "transport": 3, "services": 5, "retail": 3, "other": 1,
}  # fmt: skip
HOLDER_TYPE_WEIGHTS = {
    HolderType.COOPERATIVE: 65,
    HolderType.ASSOCIATION: 25,
    HolderType.YOUNG_ENTREPRENEUR: 8,
    HolderType.OTHER: 2,
}
# Income-generating programme P3 for cooperatives and young entrepreneurs; associations
# carry more of P1, P2 and P4.
PROGRAMME_WEIGHTS = {
    HolderType.COOPERATIVE: {"P1": 10, "P2": 5, "P3": 70, "P4": 15},
    HolderType.ASSOCIATION: {"P1": 30, "P2": 30, "P3": 15, "P4": 25},
    HolderType.YOUNG_ENTREPRENEUR: {"P1": 5, "P2": 5, "P3": 85, "P4": 5},
    HolderType.OTHER: {"P1": 25, "P2": 25, "P3": 25, "P4": 25},
}
# Status by the project's age in years (LAST_YEAR - year).
STATUS_WEIGHTS = {
    0: {"programmed": 45, "approved": 30, "in_progress": 22, "cancelled": 3},
    1: {"programmed": 10, "approved": 20, "in_progress": 62, "completed": 5, "cancelled": 3},
    2: {"approved": 5, "in_progress": 45, "completed": 46, "cancelled": 4},
    "older": {"in_progress": 3, "completed": 92, "cancelled": 5},
}
MEDIAN_COST_MAD = 350_000
MIN_COST_MAD, MAX_COST_MAD = 20_000, 20_000_000
ACTIVITIES = {
    "agriculture": ["Apiculture", "Arboriculture", "Élevage ovin", "Production d'olives", "Maraîchage"],
    "handicrafts": ["Tissage", "Couture", "Maroquinerie", "Travail du bois", "Poterie", "Broderie"],
    "tourism": ["Gîte rural", "Randonnée", "Auberge", "Restauration"],
    "food": ["Couscous artisanal", "Boulangerie", "Produits laitiers"],
    "argan": ["Huile d'argan", "Cosmétiques à l'argan"],
    "aromatic-plants": ["Plantes aromatiques", "Distillation", "Safran"],
    "forestry": ["Pépinière", "Charbon de bois", "Caroube"],
    "fishing": ["Pêche artisanale", "Pisciculture"],
    "housing": ["Mise à niveau de l'habitat"],
    "transport": ["Transport rural", "Transport scolaire"],
    "services": ["Centre de services", "Atelier informatique", "Garderie"],
    "retail": ["Épicerie solidaire", "Point de vente"],
    "other": ["Activité génératrice de revenus"],
}
NAME_PREFIXES = {
    HolderType.COOPERATIVE: "Coopérative",
    HolderType.ASSOCIATION: "Association",
    HolderType.YOUNG_ENTREPRENEUR: "Entreprise",
    HolderType.OTHER: "Groupement",
}
PLACES = ["Atlas", "Azegza", "Tanfite", "Aroggou", "Imouzzer", "Tazizaout", "Oum Rabia", "Zayane", "Tafraout"]


@dataclass(frozen=True)
class Plan:
    """How much to generate; `seed` makes it reproducible."""

    projects: int
    holders: int
    # None: every province, every commune; a number: the most populous ones.
    provinces: int | None = None
    communes_per_province: int | None = None
    seed: int = DEFAULT_SEED

    def __post_init__(self):
        limits = [n for n in (self.provinces, self.communes_per_province) if n is not None]
        if self.projects < 0 or self.holders < 1 or any(n < 1 for n in limits):
            raise ValueError("projects must be ≥ 0; holders, provinces and communes per province ≥ 1")


@dataclass
class _Place:
    """A real commune as the generator needs it."""

    id: int
    name: str
    province_number: int
    siblings: list  # the province's communes, for the few projects placed away from the holder


@dataclass
class _HolderDraw:
    commune: _Place
    holder_type: str
    sector_code: str


def synthetic_projects():
    return Project.objects.filter(code__startswith=PREFIX)


def synthetic_holders():
    return Holder.objects.filter(registration_number__startswith=PREFIX)


def synthetic_exists():
    return synthetic_projects().exists() or synthetic_holders().exists()


def real_project_count():
    """Projects that are neither synthetic nor demo: real data an accidental run would pollute."""
    return Project.objects.exclude(code__startswith=PREFIX).filter(is_demo=False).count()


def generate(plan, *, progress=None):
    """Create the holders and projects of `plan` in the real territory; returns the counts.

    Refuses to run when synthetic data already exists (clear() it first), so the codes
    a seed gives stay unique and a run never mixes two datasets.
    """
    if synthetic_exists():
        raise ValueError("Synthetic data already exists: clear it first.")
    progress = progress or (lambda message: None)
    writer = _CopyWriter() if connection.vendor == "postgresql" else _BulkWriter()
    now = timezone.now()
    with transaction.atomic():
        places = _territory(plan)
        progress(f"territory: {places.provinces} provinces, {len(places)} communes")
        with _aggregates_suspended():
            holders = _write_holders(plan, places, writer, now)
            progress(f"holders: {len(holders)}")
            projects = _write_projects(plan, holders, writer, now, progress)
        if connection.vendor == "postgresql":
            progress("indexes, foreign keys and aggregate tables rebuilt")
        # COPY and bulk_create send no signals: tell the cached figures themselves.
        _data_changed()
    writer.finish()
    return {
        "provinces": places.provinces,
        "communes": len(places),
        "holders": len(holders),
        "projects": projects,
    }


def clear():
    """Delete every synthetic row: the SYN- projects, then the SYN- holders no other project needs.

    Plain DELETE statements rather than Model.delete(): Django would load a million rows
    to send their signals. Partner lines and disbursements of those projects go first
    (Django's CASCADE is not a database cascade), so do any audit rows left by later
    edits in the admin. The territory, the demo data and real data are not touched: a holder
    someone has since given a real project keeps it.
    """
    from simple_history.utils import get_history_model_for_model

    project, holder = Project._meta.db_table, Holder._meta.db_table
    projects = f"SELECT id FROM {project} WHERE code LIKE %s"  # noqa: S608
    holders = (
        f"SELECT id FROM {holder} h WHERE h.registration_number LIKE %s "  # noqa: S608
        f"AND NOT EXISTS (SELECT 1 FROM {project} p WHERE p.holder_id = h.id)"
    )
    like = [f"{PREFIX}%"]
    deleted = {}
    with transaction.atomic(), _aggregates_suspended(), connection.cursor() as cursor:
        for model in (PartnerContribution, Disbursement):
            for table in (model._meta.db_table, get_history_model_for_model(model)._meta.db_table):
                cursor.execute(f"DELETE FROM {table} WHERE project_id IN ({projects})", like)  # noqa: S608
        for model, rows in ((Project, projects), (Holder, holders)):
            history = get_history_model_for_model(model)._meta.db_table
            cursor.execute(f"DELETE FROM {history} WHERE id IN ({rows})", like)  # noqa: S608
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id IN ({rows})", like)  # noqa: S608
            deleted[model._meta.model_name] = cursor.rowcount
        _data_changed()
    _analyze()
    return deleted


# --- Territory ------------------------------------------------------------------------------------------


def _territory(plan):
    """The real communes the dataset uses, with their draw weights.

    Every commune by default. With plan.provinces, the most populous provinces; with
    plan.communes_per_province, the most populous communes of each (ties by code): a choice
    that does not depend on the seed, so a test or a benchmark knows where the data is.
    """
    rng = random.Random(f"{plan.seed}:territory")
    communes = Commune.objects.values_list(
        "id", "code", "name_fr", "population_2024", "province__code", "province__population_2024"
    )
    by_province = {}
    # Sorted here rather than by the database, whose collation may order codes differently.
    for row in sorted(communes, key=lambda row: (-(row[3] or 0), row[1])):
        by_province.setdefault(row[4], {"population": row[5] or 0, "communes": []})["communes"].append(row)
    chosen = sorted(by_province, key=lambda code: (-by_province[code]["population"], code))[: plan.provinces]
    places, weights = [], []
    for number, province in enumerate(sorted(chosen), start=1):
        siblings = []
        for commune_id, _code, name, population, _province, _ in by_province[province]["communes"][
            : plan.communes_per_province
        ]:
            siblings.append(_Place(commune_id, name, number, siblings))
            weights.append(math.sqrt(population or 1) * rng.uniform(0.5, 1.5))
        places += siblings
    if not places:
        raise ValueError("The database holds no communes: run migrate first.")
    population = _Weighted(places, weights)
    population.provinces = len(chosen)
    return population


class _Weighted:
    """A population with cumulative weights, for fast repeated draws with random.choices."""

    def __init__(self, population, weights):
        self.population = list(population)
        self.cum_weights = list(accumulate(weights))

    def __len__(self):
        return len(self.population)

    def draw(self, rng, k):
        return rng.choices(self.population, cum_weights=self.cum_weights, k=k)


def _weighted(mapping):
    return _Weighted(mapping.keys(), mapping.values())


# --- Holders --------------------------------------------------------------------------------------------


def _write_holders(plan, places, writer, now):
    """Write plan.holders holders; returns [(id, draw)] where draw is what their projects inherit."""
    ids = writer.reserve_ids(Holder, plan.holders)
    drawn = []
    with writer.loading(Holder):
        for rows, draws in _holder_chunks(plan, places, ids, now):
            writer.write(Holder, rows)
            drawn += draws
    return list(zip(ids, drawn, strict=True))


def _holder_chunks(plan, places, ids, now):
    rng = random.Random(f"{plan.seed}:holders")
    sectors = dict(Sector.objects.values_list("code", "id"))
    types, sector_codes = _weighted(HOLDER_TYPE_WEIGHTS), _weighted(SECTOR_WEIGHTS)
    for start in range(0, plan.holders, CHUNK):
        size = min(CHUNK, plan.holders - start)
        rows, draws = [], []
        chunk = zip(places.draw(rng, size), types.draw(rng, size), sector_codes.draw(rng, size), strict=True)
        for offset, (place, holder_type, sector_code) in enumerate(chunk):
            n = start + offset + 1
            draws.append(_HolderDraw(place, holder_type, sector_code))
            members = (
                rng.randint(7, 250) if holder_type != HolderType.YOUNG_ENTREPRENEUR else rng.randint(1, 4)
            )
            activity = rng.choice(ACTIVITIES[sector_code]).split()[0]
            rows.append(
                {
                    "id": ids[start + offset],
                    "name": f"{NAME_PREFIXES[holder_type]} {rng.choice(PLACES)} {activity} {n:06d}",
                    "holder_type": holder_type,
                    # Every synthetic holder carries the mark, registered in life or not.
                    "registration_number": f"{PREFIX}{n:07d}",
                    "commune_id": place.id,
                    "main_sector_id": sectors[sector_code],
                    "created_on": datetime.date(
                        rng.randint(1990, LAST_YEAR), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    "members_total": members,
                    "members_women": rng.randint(0, members),
                    "members_under_35": rng.randint(0, members),
                    # Private contact fields stay empty: nothing personal, even invented.
                    "phone": "",
                    "email": "",
                    "private_notes": "",
                    "is_demo": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        yield rows, draws


# --- Projects -------------------------------------------------------------------------------------------


def _write_projects(plan, holders, writer, now, progress):
    written = 0
    with writer.loading(Project):
        for rows in _project_chunks(plan, holders, now):
            writer.write(Project, rows)
            written += len(rows)
            if written % (CHUNK * 10) == 0 or written == plan.projects:
                progress(f"projects: {written:,}")
    return written


def _project_chunks(plan, holders, now):
    rng = random.Random(f"{plan.seed}:projects")
    sectors = dict(Sector.objects.values_list("code", "id"))
    programmes = dict(Programme.objects.values_list("code", "id"))
    years, sector_codes = _weighted(YEAR_WEIGHTS), _weighted(SECTOR_WEIGHTS)
    programme_codes = {holder_type: _weighted(weights) for holder_type, weights in PROGRAMME_WEIGHTS.items()}
    statuses = {age: _weighted(weights) for age, weights in STATUS_WEIGHTS.items()}
    # Some holders carry many projects, most a few: a skewed (log-normal) share each.
    holder_weights = _Weighted(holders, [rng.lognormvariate(0, 1) for _ in holders])
    mu = math.log(MEDIAN_COST_MAD)
    for start in range(0, plan.projects, CHUNK):
        size = min(CHUNK, plan.projects - start)
        rows = []
        chunk = zip(holder_weights.draw(rng, size), years.draw(rng, size), strict=True)
        for offset, ((holder_id, holder), year) in enumerate(chunk):
            n = start + offset + 1
            place = holder.commune
            if rng.random() < 0.1:  # a project away from the holder's own commune, in the same province
                place = rng.choice(place.siblings)
            sector_code = holder.sector_code if rng.random() < 0.75 else sector_codes.draw(rng, 1)[0]
            age = LAST_YEAR - year
            status = statuses[age if age in statuses else "older"].draw(rng, 1)[0]
            cost_mad = min(MAX_COST_MAD, max(MIN_COST_MAD, rng.lognormvariate(mu, 0.9)))
            total, indh, partners, holder_share = _amounts(rng, cost_mad)
            signed = status != ProjectStatus.PROGRAMMED
            code = f"{PREFIX}P{place.province_number:03d}-{year}-{n:07d}"
            rows.append(
                {
                    "code": code,
                    "title": f"{rng.choice(ACTIVITIES[sector_code])} — {place.name}",
                    "holder_id": holder_id,
                    "sector_id": sectors[sector_code],
                    "commune_id": place.id,
                    "programme_id": programmes[programme_codes[holder.holder_type].draw(rng, 1)[0]],
                    "year": year,
                    "status": status,
                    "total_cost": _decimal(total),
                    "indh_contribution": _decimal(indh),
                    "partner_contribution": _decimal(partners),
                    "holder_contribution": _decimal(holder_share),
                    "jobs_created": rng.randint(0, 3 + total // 10_000_000),
                    "agreement_number": f"CONV-{code[4:]}" if signed else "",
                    "agreement_signed_on": (
                        datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)) if signed else None
                    ),
                    "private_notes": "",
                    "is_demo": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        yield rows


def _amounts(rng, cost_mad):
    """Total cost and the three shares, in whole centimes, within the database constraints.

    Most projects are fully funded (the shares add up to the cost); 8% have a funding gap,
    1% a rounding excess under 1 MAD, which the constraint tolerates (also in SQLite's float arithmetic).
    """
    total = round(cost_mad / 100) * 100 * 100  # a round hundred dirhams…
    if rng.random() < 0.2:
        total += rng.randrange(1, 100)  # …or not quite
    indh = math.floor(total * rng.uniform(0.3, 0.95))
    partners = math.floor((total - indh) * rng.uniform(0, 0.7))
    holder_share = total - indh - partners
    draw = rng.random()
    if draw < 0.08:
        holder_share -= math.floor(holder_share * rng.uniform(0, 0.3))
    elif draw < 0.09:
        holder_share += rng.randint(1, 99)
    return total, indh, partners, holder_share


def _decimal(centimes):
    """Centimes as the text of a two-decimal amount: exact, no float on the way."""
    return f"{centimes // 100}.{centimes % 100:02d}"


# --- Writers --------------------------------------------------------------------------------------------


class _CopyWriter:
    """PostgreSQL: stream rows with COPY … FROM STDIN (psycopg 3)."""

    def reserve_ids(self, model, count):
        # Taken from the table's own sequence, so concurrent inserts elsewhere cannot collide.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    @contextmanager
    def loading(self, model):
        """PostgreSQL's recipe for a bulk load ("Populating a Database" in its manual): drop the
        table's secondary indexes and foreign keys, load, then build them again.

        One sorted index build is many times faster than a million random index insertions,
        and re-adding a foreign key checks every row in one join instead of one query per row
        per key. The definitions are read from the catalogue and replayed as they were, inside
        the caller's transaction: a failure rolls the drop back too, and a row breaking a
        foreign key or a unique index makes the whole load fail, exactly as a row-by-row check
        would. The table is locked for the duration, which is why this is a load-test tool.
        """
        table = model._meta.db_table
        with connection.cursor() as cursor:
            # Run the checks still deferred from earlier inserts (the territory): a table with
            # pending trigger events cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            foreign_keys = cursor.fetchall()
            # Indexes that do not back a constraint (the primary key and unique constraints stay).
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) "
                "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
                [table],
            )
            indexes = cursor.fetchall()
            quoted = connection.ops.quote_name(table)
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            # Sorts and hashes of a million rows in memory (this transaction only).
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
                )

    def write(self, model, rows):
        if not rows:
            return
        columns = list(rows[0])
        sql = "COPY {} ({}) FROM STDIN".format(
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(column) for column in columns),
        )
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(tuple(row.values()))

    def finish(self):
        _analyze()


class _BulkWriter:
    """Other databases (SQLite): bulk_create, ids given explicitly."""

    def reserve_ids(self, model, count):
        first = (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        return list(range(first, first + count))

    @contextmanager
    def loading(self, model):
        yield

    def write(self, model, rows):
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)

    def finish(self):
        pass


def _aggregates_suspended():
    """The aggregate tables' triggers off during the load, one rebuild after (funding.aggregates).

    A row-by-row upkeep of a million rows would take longer than the load itself.
    """
    from funding import aggregates

    return aggregates.suspended() if aggregates.available() else nullcontext()


def _data_changed():
    """Make the cached public figures stale (and the aggregate table current, where there is one)."""
    from funding.queries import invalidate_summary_cache

    invalidate_summary_cache()


def _analyze():
    """Fresh planner statistics (and, on PostgreSQL, a visibility map for index-only scans)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    from funding import aggregates

    tables = [Holder._meta.db_table, Project._meta.db_table, *aggregates.TABLES]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
