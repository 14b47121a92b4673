"""`generate_dataset` builds a reproducible, valid, removable synthetic national dataset."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, F

from cooperatives.models import Commune, Holder, Province, Region
from funding import synthetic
from funding.models import Project, ProjectStatus
from tests.factories import make_project

pytestmark = pytest.mark.django_db

SMALL = ["--projects", "600", "--holders", "120", "--provinces", "3", "--communes-per-province", "4"]


def generate(*args):
    call_command("generate_dataset", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def snapshot():
    """Everything a seed decides, without database ids."""
    projects = list(
        Project.objects.order_by("code").values_list(
            "code",
            "title",
            "holder__name",
            "holder__holder_type",
            "holder__registration_number",
            "sector__code",
            "commune__code",
            "programme__code",
            "year",
            "status",
            "total_cost",
            "indh_contribution",
            "partner_contribution",
            "holder_contribution",
            "jobs_created",
            "agreement_signed_on",
        )
    )
    holders = list(Holder.objects.order_by("name").values_list("name", "commune__code", "members_total"))
    return projects, holders


def test_the_same_seed_gives_the_same_dataset_and_another_seed_another():
    generate(*SMALL, "--seed", "7")
    first = snapshot()
    generate("--clear", *SMALL, "--seed", "7")
    assert snapshot() == first
    generate("--clear", *SMALL, "--seed", "8")
    assert snapshot() != first


def territory():
    return (
        list(Region.objects.values_list()),
        list(Province.objects.values_list()),
        list(Commune.objects.values_list()),
    )


def test_it_creates_the_sizes_asked_for_in_the_most_populous_real_provinces_and_communes():
    before = territory()
    generate(*SMALL)

    assert Project.objects.count() == 600
    assert Holder.objects.count() == 120
    # The three most populous provinces and prefectures, the four most populous communes of each.
    provinces = Province.objects.order_by("-population_2024", "code")[:3]
    expected = set()
    for province in provinces:
        expected |= set(
            province.communes.order_by("-population_2024", "code").values_list("code", flat=True)[:4]
        )
    used = set(Project.objects.values_list("commune__code", flat=True))
    assert used | set(Holder.objects.values_list("commune__code", flat=True)) == expected
    assert "casablanca" in used
    # Every generated row carries the mark --clear looks for.
    assert not Project.objects.exclude(code__startswith="SYN-").exists()
    assert not Holder.objects.exclude(registration_number__startswith="SYN-").exists()
    # A project is in its holder's province, even when not in the holder's own commune.
    assert not Project.objects.exclude(commune__province=F("holder__commune__province")).exists()
    # The real territory (HCP's nomenclature, cooperatives migrations 0009–0011) is untouched.
    assert territory() == before
    assert (Province.objects.count(), Commune.objects.count()) == (75, 1503)


def test_by_default_the_data_spreads_over_every_real_commune():
    generate("--projects", "12000", "--holders", "6000", "--seed", "3")

    # Not every village draws one of 6,000 holders, but the great majority do.
    assert Holder.objects.values("commune").distinct().count() > 1300
    assert Project.objects.values("commune__province").distinct().count() == 75
    # Towns have more holders than villages, but no commune swallows the country.
    busiest = Project.objects.values("commune").annotate(n=Count("id")).order_by("-n")[0]["n"]
    assert 12000 / 1503 < busiest < 12000 * 0.03


def test_amounts_are_exact_decimals_within_the_funding_rules():
    generate(*SMALL)

    gaps = excesses = 0
    for project in Project.objects.all():
        for amount in (
            project.total_cost,
            project.indh_contribution,
            project.partner_contribution,
            project.holder_contribution,
        ):
            assert isinstance(amount, Decimal)
            assert amount >= 0
            assert amount == amount.quantize(Decimal("0.01"))
        assert project.indh_contribution <= project.total_cost
        assert project.shares_total <= project.total_cost + Decimal("1.00")
        gaps += project.funding_gap > 0
        excesses += project.funding_gap < 0
    # Realistic, not uniform: most projects fully funded, some with a gap, a few rounded over.
    assert 0 < excesses < gaps < 600 // 2


def test_distributions_look_like_a_programme_not_like_noise():
    generate(*SMALL)

    by_sector = dict(Project.objects.values_list("sector__code").annotate(n=Count("id")))
    assert by_sector["agriculture"] > by_sector.get("fishing", 0)
    assert set(Project.objects.values_list("status", flat=True)) == set(ProjectStatus.values)
    years = Project.objects.values_list("year", flat=True)
    assert min(years) >= 2005
    assert max(years) <= 2025
    # Old projects are finished; this year's are mostly not yet.
    assert not Project.objects.filter(year__lt=2020, status=ProjectStatus.PROGRAMMED).exists()
    assert Project.objects.filter(year=2025).exclude(status=ProjectStatus.COMPLETED).exists()
    # Projects per holder are skewed: some holders carry several.
    assert Project.objects.values("holder").annotate(n=Count("id")).filter(n__gt=3).exists()


def test_synthetic_rows_have_no_audit_history_and_no_private_contact():
    generate(*SMALL)

    assert Project.history.count() == 0
    assert Holder.history.count() == 0
    assert not Holder.objects.exclude(phone="", email="").exists()


def test_clear_removes_the_synthetic_data_and_nothing_else(demo_data):
    demo = snapshot()
    generate(*SMALL, "--allow-real-data")
    assert Project.objects.count() == 99 + 600

    generate("--clear")

    assert snapshot() == demo
    assert not synthetic.synthetic_exists()
    assert Commune.objects.count() == 1503


def test_clear_keeps_a_real_project_and_the_holder_it_was_given(demo_data):
    generate(*SMALL, "--allow-real-data")
    holder = Holder.objects.filter(registration_number__startswith="SYN-").order_by("name").first()
    real = make_project(holder=holder, code="REAL-0001")

    generate("--clear")

    assert Project.objects.filter(pk=real.pk).exists()
    assert Holder.objects.filter(pk=holder.pk).exists()
    assert Project.objects.count() == 99 + 1
    assert Holder.objects.filter(registration_number__startswith="SYN-").count() == 1


def test_generating_twice_without_clear_is_refused():
    generate(*SMALL)
    with pytest.raises(CommandError, match="already exists"):
        generate(*SMALL)
    assert Project.objects.count() == 600


def test_a_database_with_real_projects_is_left_alone_unless_asked():
    make_project()
    with pytest.raises(CommandError, match="real projects"):
        generate(*SMALL)
    assert Project.objects.count() == 1

    generate(*SMALL, "--allow-real-data")
    assert Project.objects.count() == 601


def test_the_demo_data_does_not_count_as_real(demo_data):
    generate(*SMALL)
    assert synthetic.synthetic_projects().count() == 600


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--projects", "-5"],
        ["--projects", "10", "--holders", "0"],
        ["--projects", "10", "--provinces", "0"],
    ],
)
def test_bad_sizes_are_refused_with_a_message(args):
    with pytest.raises(CommandError):
        generate(*args)
    assert not Project.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="migrates back and forth inside the test's transaction"
)
def test_a_database_generated_before_loses_its_invented_territory_and_only_that(demo_data):
    """Cooperatives migration drop_synthetic_territory: no invented commune survives the real territory."""
    before, after = (
        ("cooperatives", "0014_holder_registration_per_province"),
        ("cooperatives", "0015_drop_synthetic_territory"),
    )
    demo = snapshot()
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    apps = executor.loader.project_state([before, *executor.loader.graph.leaf_nodes("funding")]).apps
    region = apps.get_model("cooperatives", "Region").objects.create(
        code="syn-r01", name_fr="Région synthétique"
    )
    province = apps.get_model("cooperatives", "Province").objects.create(
        code="syn-p001", name_fr="Province synthétique", region=region, is_synthetic=True
    )
    commune = apps.get_model("cooperatives", "Commune").objects.create(
        code="syn-p001-c01", name_fr="Commune synthétique", province=province, is_synthetic=True
    )
    holder = apps.get_model("cooperatives", "Holder").objects.create(
        name="Coopérative Atlas", commune=commune
    )
    apps.get_model("funding", "Project").objects.create(
        code="SYN-P001-2020-0000001",
        title="Tissage",
        holder=holder,
        commune=commune,
        sector_id=apps.get_model("cooperatives", "Sector").objects.get(code="handicrafts").pk,
        programme_id=apps.get_model("funding", "Programme").objects.get(code="P3").pk,
        year=2020,
        total_cost=Decimal("1000.00"),
    )

    executor = MigrationExecutor(connection)
    executor.migrate([after])

    assert snapshot() == demo
    assert not Commune.objects.filter(code__startswith="syn-").exists()
    assert not Province.objects.filter(code__startswith="syn-").exists()
    assert not Region.objects.filter(code__startswith="syn-").exists()
    assert (Region.objects.count(), Province.objects.count(), Commune.objects.count()) == (12, 75, 1503)
