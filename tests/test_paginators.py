"""The admin's paginator does not count a huge unfiltered table, and counts everything else exactly."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.models import Project
from indh_site import paginators
from indh_site.paginators import EstimatedCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(monkeypatch):
    call_command(
        "generate_dataset",
        "--projects=1500",
        "--provinces=3",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE funding_project")
    # The threshold of a national table, scaled to the test's.
    monkeypatch.setattr(paginators, "ESTIMATE_ABOVE", 1000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
def test_an_unfiltered_list_is_counted_from_the_planner_statistics(projects):
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(Project.objects.all(), 50).count
    assert count == 1500  # ANALYZE reads every row of a table this small
    assert "reltuples" in queries[0]["sql"]
    assert not any("COUNT(" in query["sql"].upper() for query in queries)


def test_a_filtered_list_is_counted_exactly(projects):
    queryset = Project.objects.filter(year=2024)
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(queryset, 50).count
    assert count == queryset.count()
    assert "COUNT(" in queries[-1]["sql"].upper()


def test_a_small_table_is_counted_exactly(projects, monkeypatch):
    monkeypatch.setattr(paginators, "ESTIMATE_ABOVE", 100_000)
    with CaptureQueriesContext(connection) as queries:
        assert EstimatedCountPaginator(Project.objects.all(), 50).count == 1500
    assert "COUNT(" in queries[-1]["sql"].upper()
