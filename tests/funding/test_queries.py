"""The shared query layer: published figures, filters, exact sums, fixed query count, cache."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cooperatives.models import Commune, HolderType, Sector
from funding import queries
from funding.models import Programme, Project, ProjectStatus
from tests.factories import data_queries, make_holder, make_project, only_the_data_version_read

pytestmark = pytest.mark.django_db

# What a summary of the project rows has to say, computed here in Python, independently of
# the query layer, from the rows themselves.
MONEY = ("total_cost", "indh_contribution", "partner_contribution", "holder_contribution")


def second_province():
    """Midelt's town in its province (HCP's nomenclature): the province filter needs two sides."""
    return Commune.objects.get(code="midelt", province__code="midelt")


def expected_totals(predicate):
    """Totals of the projects for which ``predicate(project)`` is true, summed in Python."""
    projects = [
        p for p in Project.objects.select_related("holder", "sector", "commune__province") if predicate(p)
    ]
    totals = {
        "projects": len(projects),
        "holders": len({p.holder_id for p in projects}),
        "cooperatives": len(
            {p.holder_id for p in projects if p.holder.holder_type == HolderType.COOPERATIVE}
        ),
        "jobs": sum(p.jobs_created for p in projects),
    }
    for name in MONEY:
        totals[name] = sum((getattr(p, name) for p in projects), Decimal("0.00"))
    return totals


def costing(total):
    """Amounts of a valid project costing ``total``: INDH half, partners and holder a quarter each."""
    total = Decimal(total)
    indh = (total / 2).quantize(Decimal("0.01"))
    partners = ((total - indh) / 2).quantize(Decimal("0.01"))
    return {
        "total_cost": total,
        "indh_contribution": indh,
        "partner_contribution": partners,
        "holder_contribution": total - indh - partners,
    }


def not_cancelled(project):
    return project.status != ProjectStatus.CANCELLED


def test_cancelled_projects_count_only_when_the_status_filter_names_them():
    make_project(status=ProjectStatus.COMPLETED, **costing("1000.00"))
    make_project(status=ProjectStatus.CANCELLED, **costing("300.00"))

    assert Project.objects.summary({})["totals"]["total_cost"] == Decimal("1000.00")
    assert Project.objects.summary({"status": ["cancelled"]})["totals"]["total_cost"] == Decimal("300.00")
    both = Project.objects.summary({"status": ["completed", "cancelled"]})
    assert both["totals"]["projects"] == 2
    assert [row["code"] for row in both["by_status"]] == ["completed", "cancelled"]


def test_amounts_are_summed_to_the_exact_cent():
    for cents in ("0.10", "0.20", "0.05", "999999999999.99", "999999999999.99"):
        amount = Decimal(cents)
        make_project(
            total_cost=amount,
            indh_contribution=amount,
            partner_contribution=Decimal("0"),
            holder_contribution=Decimal("0"),
        )
    totals = Project.objects.summary({})["totals"]
    assert totals["total_cost"] == Decimal("1999999999999.98") + Decimal("0.35")
    assert str(totals["total_cost"]) == "2000000000000.33"
    # No project in 2025: the sums are zero, written with two decimals.
    assert str(Project.objects.summary({"year": 2025})["totals"]["indh_contribution"]) == "0.00"


def test_breakdowns_follow_the_order_the_admin_defines_and_leave_out_empty_rows():
    tourism, agriculture = Sector.objects.get(code="tourism"), Sector.objects.get(code="agriculture")
    make_project(sector=agriculture, year=2023)
    make_project(sector=tourism, year=2021)
    make_project(sector=tourism, year=2023)

    summary = Project.objects.summary({})
    assert [row["code"] for row in summary["by_sector"]] == ["agriculture", "tourism"]
    assert [row["year"] for row in summary["by_year"]] == [2021, 2023]
    assert [(row["code"], row["year"]) for row in summary["by_sector_year"]] == [
        ("agriculture", 2023),
        ("tourism", 2021),
        ("tourism", 2023),
    ]

    tourism.ordering = 0
    agriculture.ordering = 5
    tourism.save()
    agriculture.save()
    assert [row["code"] for row in Project.objects.summary({})["by_sector"]] == ["tourism", "agriculture"]


def test_a_label_missing_in_a_language_falls_back_to_french():
    commune = Commune.objects.get(code="mrirt")
    commune.name_en = ""
    commune.save()
    make_project(commune=commune)
    rows = Project.objects.summary({}, lang="en")["by_commune"]
    assert [(row["code"], row["label"]) for row in rows] == [("mrirt", commune.name_fr)]


def spread_projects(count, offset):
    """``count`` projects over several sectors, communes, years, programmes, statuses and holder types."""
    sectors = list(Sector.objects.all())
    communes = list(Commune.objects.all())
    programmes = list(Programme.objects.all())
    statuses = [ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED]
    for n in range(offset, offset + count):
        make_project(
            sector=sectors[n % len(sectors)],
            commune=communes[n % len(communes)],
            programme=programmes[n % len(programmes)],
            year=2015 + n % 11,
            status=statuses[n % len(statuses)],
            holder=make_holder(holder_type=HolderType.values[n % len(HolderType.values)]),
        )


def test_the_summary_takes_the_same_number_of_queries_whatever_the_data_size():
    filters = {"year_from": 2015, "sector": ["agriculture", "tourism", "food"], "status": ["completed"]}
    spread_projects(3, offset=0)
    # From the projects: one query for the totals, one per breakdown (sector, year, sector × year,
    # commune, programme, status), one for the communes' census figures. On PostgreSQL, from the
    # aggregate tables: fewer.
    with CaptureQueriesContext(connection) as on_small_data:
        small = Project.objects.summary(filters)

    spread_projects(60, offset=3)
    cache.clear()
    with CaptureQueriesContext(connection) as on_large_data:
        large = Project.objects.summary(filters)
    assert len(data_queries(on_large_data)) == len(data_queries(on_small_data)) <= 8
    assert large["totals"]["projects"] > small["totals"]["projects"]
    assert len(large["by_commune"]) > len(small["by_commune"])


def test_a_cached_summary_costs_no_query():
    spread_projects(5, offset=0)
    Project.objects.summary({"sector": ["tourism", "agriculture"]}, lang="fr")
    instances = list(Sector.objects.filter(code__in=["agriculture", "tourism"]))
    # The same filters in another order, or as the cleaned form's model instances, are the same entry.
    with only_the_data_version_read():
        Project.objects.summary({"sector": ["agriculture", "tourism"]}, lang="fr")
        Project.objects.summary({"sector": instances}, lang="fr")
    # Labels differ by language: another language is another entry.
    with CaptureQueriesContext(connection) as queries:
        in_arabic = Project.objects.summary({"sector": ["agriculture", "tourism"]}, lang="ar")
    assert len(queries) > 0
    assert (
        in_arabic["by_sector"][0]["label"]
        == Sector.objects.get(code=in_arabic["by_sector"][0]["code"]).name_ar
    )


def test_saving_or_deleting_a_project_refreshes_the_cached_summary():
    make_project(**costing("1000.00"))
    assert Project.objects.summary({})["totals"]["projects"] == 1

    second = make_project(**costing("2000.00"))
    assert Project.objects.summary({})["totals"]["total_cost"] == Decimal("3000.00")

    second.holder_contribution += Decimal("500.00")
    second.total_cost = Decimal("2500.00")
    second.save()
    assert Project.objects.summary({})["totals"]["total_cost"] == Decimal("3500.00")

    second.delete()
    assert Project.objects.summary({})["totals"]["total_cost"] == Decimal("1000.00")


def test_changing_a_holder_refreshes_the_cooperative_count():
    project = make_project(holder=make_holder(holder_type=HolderType.ASSOCIATION))
    assert Project.objects.summary({})["totals"]["cooperatives"] == 0

    project.holder.holder_type = HolderType.COOPERATIVE
    project.holder.save()
    assert Project.objects.summary({})["totals"]["cooperatives"] == 1


def test_renaming_reference_data_refreshes_the_labels():
    make_project(sector=Sector.objects.get(code="tourism"))
    assert Project.objects.summary({}, lang="fr")["by_sector"][0]["label"] == "Tourisme"

    sector = Sector.objects.get(code="tourism")
    sector.name_fr = "Tourisme rural"
    sector.save()
    assert Project.objects.summary({}, lang="fr")["by_sector"][0]["label"] == "Tourisme rural"


def test_bulk_writes_show_once_the_import_service_invalidates_the_cache():
    make_project(**costing("1000.00"))
    assert Project.objects.summary({})["totals"]["total_cost"] == Decimal("1000.00")

    # A queryset update sends no signal: the cached figure stays until the caller invalidates it.
    Project.objects.update(total_cost=Decimal("4000.00"))
    assert Project.objects.summary({})["totals"]["total_cost"] == Decimal("1000.00")
    queries.invalidate_summary_cache()
    assert Project.objects.summary({})["totals"]["total_cost"] == Decimal("4000.00")


def test_a_misspelt_filter_is_refused_rather_than_ignored():
    with pytest.raises(ValueError, match="sectors"):
        Project.objects.summary({"sectors": ["agriculture"]})


@pytest.mark.usefixtures("demo")
class TestOnTheDemoData:
    """On the demo data, loaded once for these tests."""

    def test_summary_reproduces_the_published_figures(self):
        summary = Project.objects.summary({})

        totals = summary["totals"]
        assert totals["projects"] == 99
        assert totals["total_cost"] == Decimal("89420000.00")
        assert totals["cooperatives"] == 71
        assert totals["indh_contribution"] == Decimal("42210000.00")
        assert {row["code"]: row["projects"] for row in summary["by_sector"]} == {
            "agriculture": 39,
            "handicrafts": 44,
            "tourism": 16,
        }
        year_2025 = next(row for row in summary["by_year"] if row["year"] == 2025)
        assert (year_2025["projects"], year_2025["total_cost"], year_2025["indh_contribution"]) == (
            13,
            Decimal("2230000.00"),
            Decimal("2010000.00"),
        )

    def test_cooperatives_filter_gives_the_published_cost_of_their_projects(self):
        totals = Project.objects.summary({"holder_type": [HolderType.COOPERATIVE]})["totals"]
        assert totals["total_cost"] == Decimal("81700000.00")
        assert totals["projects"] == totals["cooperatives"] == totals["holders"] == 71

    def test_year_filter_gives_the_published_2025_agreements(self):
        totals = Project.objects.summary({"year": 2025})["totals"]
        assert (totals["projects"], totals["total_cost"], totals["indh_contribution"]) == (
            13,
            Decimal("2230000.00"),
            Decimal("2010000.00"),
        )

    def test_every_breakdown_adds_up_to_the_totals(self):
        summary = Project.objects.summary({"year_from": 2020})
        totals = summary["totals"]
        for name in ("by_sector", "by_year", "by_sector_year", "by_commune", "by_programme", "by_status"):
            rows = summary[name]
            assert sum(row["projects"] for row in rows) == totals["projects"], name
            assert sum(row["total_cost"] for row in rows) == totals["total_cost"], name
        assert sum(row["indh_contribution"] for row in summary["by_commune"]) == totals["indh_contribution"]

    @pytest.mark.parametrize(
        "filters, predicate",
        [
            ({}, lambda p: True),
            ({"year": 2025}, lambda p: p.year == 2025),
            ({"year_from": 2020, "year_to": 2022}, lambda p: 2020 <= p.year <= 2022),
            ({"year_from": 2024}, lambda p: p.year >= 2024),
            ({"sector": ["agriculture", "tourism"]}, lambda p: p.sector.code in {"agriculture", "tourism"}),
            ({"commune": ["mrirt", "el-kbab"]}, lambda p: p.commune.code in {"mrirt", "el-kbab"}),
            ({"province": ["midelt"]}, lambda p: p.commune.province.code == "midelt"),
            ({"province": ["KHN"]}, lambda p: p.commune.province.code == "KHN"),
            ({"programme": ["P3"]}, lambda p: p.programme.code == "P3"),
            ({"programme": ["P1"]}, lambda p: p.programme.code == "P1"),
            (
                {"holder_type": ["association", "young_entrepreneur"]},
                lambda p: p.holder.holder_type in {"association", "young_entrepreneur"},
            ),
            ({"status": ["in_progress"]}, lambda p: p.status == "in_progress"),
            (
                {
                    "year_from": 2021,
                    "year_to": 2025,
                    "sector": ["handicrafts"],
                    "holder_type": ["cooperative"],
                    "status": ["completed", "in_progress"],
                },
                lambda p: (
                    2021 <= p.year <= 2025
                    and p.sector.code == "handicrafts"
                    and p.holder.holder_type == "cooperative"
                    and p.status in {"completed", "in_progress"}
                ),
            ),
            (
                {"province": ["KHN", "midelt"], "programme": ["P1", "P3"], "year": 2024},
                lambda p: p.year == 2024 and p.programme.code in {"P1", "P3"},
            ),
        ],
    )
    def test_filters_select_exactly_the_matching_projects(self, filters, predicate):
        midelt = second_province()
        make_project(commune=midelt, year=2024, programme=Programme.objects.get(code="P1"), jobs_created=4)
        make_project(year=2024, status=ProjectStatus.CANCELLED, **costing("777.77"))

        default_rule = not_cancelled if "status" not in filters else lambda p: True
        expected = expected_totals(lambda p: default_rule(p) and predicate(p))
        assert expected["projects"] > 0, "each case must select something, or it proves little"
        assert Project.objects.summary(filters)["totals"] == expected

    def test_labels_are_in_the_language_asked_for(self):
        def sector_labels(**kwargs):
            return {row["code"]: row["label"] for row in Project.objects.summary({}, **kwargs)["by_sector"]}

        assert sector_labels(lang="ar")["handicrafts"] == "الصناعة التقليدية"
        assert sector_labels(lang="fr")["handicrafts"] == "Artisanat"
        assert sector_labels(lang="en")["handicrafts"] == "Handicrafts"
        with translation.override("ar"):
            assert sector_labels()["handicrafts"] == "الصناعة التقليدية"
            status_label = str(ProjectStatus.COMPLETED.label)
        statuses = {row["code"]: row["label"] for row in Project.objects.summary({}, lang="ar")["by_status"]}
        assert statuses["completed"] == status_label

    def test_the_project_list_reads_public_columns_only(self):
        rows = list(queries.public_rows(queries.project_list({"year": 2025}, lang="fr"), lang="fr"))
        assert len(rows) == 13
        assert all(tuple(row) == queries.PROJECT_COLUMNS for row in rows)
        sql = str(queries.project_list({}).query)
        for private in ("phone", "email", "private_notes", "registration_number"):
            assert private not in sql
