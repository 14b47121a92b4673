"""The aggregate tables never drift from the projects, and answer exactly as the projects do.

Whatever writes the projects (the admin, the ORM, bulk_create, queryset.update(), a holder
changing type, a delete), funding.aggregates.drift() — the tables compared with a
recomputation from the raw rows — stays empty, and the summary read from the tables equals
the summary summed from the projects for every kind of filter.
"""

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from cooperatives.models import Commune, Holder, HolderType, Province, Sector
from funding import aggregates, queries
from funding.models import Programme, Project, ProjectStatus
from tests.factories import make_holder, make_project

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the aggregate tables are PostgreSQL's (SQLite reads projects)",
    ),
]


@pytest.fixture
def national(db):
    """The demo province plus synthetic data in the four most populous provinces (5 communes each)."""
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command(
        "generate_dataset",
        "--projects=1500",
        "--holders=300",
        "--provinces=4",
        "--communes-per-province=5",
        "--allow-real-data",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


def assert_in_step():
    assert aggregates.drift() == []


def test_single_saves_creates_and_deletes_keep_the_tables_in_step(national):
    assert_in_step()

    project = Project.objects.filter(code__startswith="SYN-").order_by("code").first()
    project.total_cost += Decimal("1000.50")
    project.jobs_created += 3
    project.save()
    assert_in_step()

    project.year, project.status = 2019, ProjectStatus.CANCELLED
    project.save()
    assert_in_step()

    project.status = ProjectStatus.COMPLETED
    project.sector = Sector.objects.get(code="fishing")
    project.commune = Commune.objects.get(code="khenifra")
    project.programme = Programme.objects.get(code="P4")
    project.save()
    assert_in_step()

    make_project(year=2026, holder=project.holder)
    make_project(year=2026, holder=make_holder(holder_type=HolderType.ASSOCIATION))
    assert_in_step()

    project.delete()
    assert_in_step()


def test_moving_a_project_to_another_holder_moves_it_in_the_distinct_counts(national):
    project = Project.objects.filter(is_demo=True, holder__holder_type=HolderType.COOPERATIVE).first()
    project.holder = make_holder(holder_type=HolderType.YOUNG_ENTREPRENEUR)
    project.save()
    assert_in_step()


def test_bulk_writes_keep_the_tables_in_step(national):
    holder = make_holder()
    Project.objects.bulk_create(
        Project(
            code=f"BULK-{n:03d}",
            title="Projet groupé",
            holder=holder,
            sector=Sector.objects.get(code="tourism"),
            commune=Commune.objects.get(code="mrirt"),
            programme=Programme.objects.get(code="P3"),
            year=2020 + n % 5,
            status=ProjectStatus.IN_PROGRESS,
            total_cost=Decimal("50000.00"),
            indh_contribution=Decimal("25000.00"),
            holder_contribution=Decimal("25000.00"),
        )
        for n in range(40)
    )
    assert_in_step()

    Project.objects.filter(year=2021).update(status=ProjectStatus.CANCELLED)
    assert_in_step()

    Project.objects.filter(sector__code="agriculture", year__lt=2012).update(
        indh_contribution=Decimal("0.00"), year=2012
    )
    assert_in_step()

    # A change to a column the figures do not use adds nothing to the tables.
    rows_before = _table_rows()
    Project.objects.filter(year=2013).update(title="Renamed")
    assert _table_rows() == rows_before

    Project.objects.filter(commune__province__code="marrakech").delete()
    assert_in_step()


def test_a_holder_changing_type_moves_its_projects(national):
    holder = Holder.objects.filter(holder_type=HolderType.COOPERATIVE, projects__isnull=False).first()
    holder.holder_type = HolderType.ASSOCIATION
    holder.save()
    assert_in_step()

    Holder.objects.filter(commune__province__code="casablanca").update(holder_type=HolderType.OTHER)
    assert_in_step()


def test_a_commune_moving_to_another_province_takes_its_projects_along(national):
    commune = Commune.objects.get(code="tanger")
    assert commune.projects.exists()
    commune.province = Province.objects.get(code="marrakech")
    commune.save()
    assert_in_step()
    commune.name_fr = "Renamed"
    commune.save()
    assert_in_step()
    filters = {"province": ["marrakech"], "year_from": 2019, "year_to": 2025}
    expected = queries.compute_summary(queries.filter_projects(filters), lang="fr")
    assert aggregates.compute_summary(filters, lang="fr") == expected


def test_an_admin_edit_keeps_the_figures_current(national, staff_client):
    project = Project.objects.filter(is_demo=True, partner_lines__isnull=True).order_by("code").first()
    url = reverse("admin:funding_project_change", args=[project.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "holder": project.holder_id,
            "sector": Sector.objects.get(code="food").pk,
            "commune": project.commune_id,
            "programme": project.programme_id,
            "total_cost": str(project.total_cost + 10),
            "agreement_signed_on": project.agreement_signed_on.isoformat(),
            "partner_lines-TOTAL_FORMS": "0",
            "partner_lines-INITIAL_FORMS": "0",
            "disbursements-TOTAL_FORMS": "0",
            "disbursements-INITIAL_FORMS": "0",
        }
    )
    existing = list(project.disbursements.all())
    data["disbursements-TOTAL_FORMS"] = data["disbursements-INITIAL_FORMS"] = str(len(existing))
    for i, disbursement in enumerate(existing):
        data[f"disbursements-{i}-id"] = disbursement.pk
        data[f"disbursements-{i}-project"] = project.pk
        data[f"disbursements-{i}-released_on"] = disbursement.released_on.isoformat()
        data[f"disbursements-{i}-amount"] = str(disbursement.amount)
        data[f"disbursements-{i}-reference"] = disbursement.reference

    response = staff_client.post(url, data)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.sector.code == "food"
    assert_in_step()
    summary = aggregates.compute_summary({"sector": ["food"]}, lang="fr")
    assert project.total_cost <= summary["totals"]["total_cost"]
    assert summary == queries.compute_summary(queries.filter_projects({"sector": ["food"]}), lang="fr")


def test_touched_cells_are_merged_back_to_one_row(national):
    for project in Project.objects.filter(commune__code="casablanca")[:20]:
        project.total_cost += 1
        project.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {aggregates.CELLS} GROUP BY {aggregates.CELL_KEY} "
            "HAVING COUNT(*) > 1) duplicated"
        )
        assert cursor.fetchone()[0] == 0


def test_rebuild_and_compact_give_the_same_tables(national):
    Project.objects.filter(year=2020).update(status=ProjectStatus.COMPLETED)
    rows = _table_rows()
    aggregates.compact()
    assert _table_rows() == rows
    aggregates.rebuild()
    assert _table_rows() == rows
    assert_in_step()


FILTER_SETS = [
    {},
    {"year": 2024},
    {"year": 2025, "sector": ["agriculture"]},
    {"sector": ["handicrafts"]},
    {"sector": ["handicrafts", "tourism"]},
    {"year_from": 2019, "year_to": 2022},
    {"year_from": 2019, "year_to": 2022, "sector": ["agriculture"]},
    {"commune": ["khenifra"]},
    {"commune": ["casablanca", "tanger"], "sector": ["agriculture"]},
    {"province": ["tanger-assilah"], "year_from": 2019, "year_to": 2025},
    {"province": ["KHN"]},
    {"programme": ["P3"]},
    {"programme": ["P1", "P2"], "year": 2023},
    {"holder_type": ["cooperative"]},
    {"holder_type": ["association", "young_entrepreneur"], "year": 2024},
    {"holder_type": ["association"], "sector": ["agriculture"]},
    {"status": ["cancelled"]},
    {"status": ["completed", "in_progress"], "commune": ["mrirt"]},
    {"year": 2024, "programme": ["P3"], "holder_type": ["cooperative"]},
    {"sector": ["fishing"], "province": ["casablanca"]},
    {"commune": ["no-such-commune"]},
    {"year": 2099},
]


def test_the_tables_answer_exactly_as_the_projects_do(national):
    # One dataset for every filter set (building it is the slow part); all mismatches reported at once.
    mismatches = []
    for lang in ("fr", "ar"):
        for filters in FILTER_SETS:
            normalised = queries.normalise_filters(filters)
            expected = queries.compute_summary(queries.filter_projects(normalised), lang=lang)
            answer = aggregates.compute_summary(normalised, lang=lang)
            mismatches += [(lang, filters, key) for key in expected if answer.get(key) != expected[key]]
            assert (
                expected["totals"]["projects"]
                or filters.get("year") == 2099
                or "no-such-commune" in str(filters)
            )
    assert mismatches == []


def test_the_count_and_cost_of_a_filter_set_are_the_projects_own(national):
    """The dashboard's "carried by cooperatives" figure, read from the tables without a whole summary."""
    mismatches = []
    for filters in FILTER_SETS:
        for narrowed in (filters, {**filters, "holder_type": [HolderType.COOPERATIVE]}):
            normalised = queries.normalise_filters(narrowed)
            found = aggregates.count_and_cost(normalised)
            if found is None:
                continue
            expected = queries.compute_summary(queries.filter_projects(normalised), lang="fr")["totals"]
            if found != (expected["projects"], expected["total_cost"]):
                mismatches.append((narrowed, found))
    assert mismatches == []
    assert aggregates.count_and_cost({"holder": [1]}) is None  # a filter the tables lack


def test_an_empty_database_gives_zero_totals(db):
    expected = queries.compute_summary(queries.filter_projects({}), lang="en")
    assert aggregates.compute_summary({}, lang="en") == expected
    assert expected["totals"]["projects"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_holder_do_not_count_it_twice():
    """The second writer waits for the first, then sees its project: one holder, not two."""
    holder = make_holder()
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    errors = []

    def first_writer():
        try:
            with transaction.atomic():
                make_project(holder=holder, year=2023)
                first_inserted.set()
                first_may_commit.wait(timeout=30)
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            first_inserted.set()
            connections.close_all()

    thread = threading.Thread(target=first_writer)
    thread.start()
    first_inserted.wait(timeout=30)
    second = threading.Thread(
        target=lambda: (make_project(holder=holder, year=2023), connections.close_all())
    )
    second.start()
    assert _a_session_waits_for_a_lock(), "the second writer did not wait for the first"
    first_may_commit.set()
    thread.join(timeout=30)
    second.join(timeout=30)

    assert not errors
    assert_in_step()
    assert aggregates.compute_summary({"year": 2023}, lang="fr")["totals"]["holders"] == 1


def _a_session_waits_for_a_lock():
    """Poll (for at most ten seconds) until another session of this database waits on a lock."""
    import time

    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def _table_rows():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {aggregates.CELL_KEY}, SUM(projects), SUM(total_cost), SUM(jobs) "
            f"FROM {aggregates.CELLS} GROUP BY {aggregates.CELL_KEY} HAVING SUM(projects) <> 0 "
            f"ORDER BY {aggregates.CELL_KEY}"
        )
        cells = cursor.fetchall()
        cursor.execute(f"SELECT * FROM {aggregates.HOLDERS} ORDER BY 1, 2, 3, 4")
        holders = cursor.fetchall()
        cursor.execute(f"SELECT * FROM {aggregates.PRESENCE} ORDER BY 1, 3, 4")
        return cells, holders, cursor.fetchall()
