"""The dashboard and the open-data summary cost the same number of queries at any data size.

Ten times more projects must mean the same SQL statements (each doing its own work through
indexes or aggregate tables), never one more query per project, holder or commune.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

URLS = ["/fr/", "/api/v1/summary"]
FILTER_SETS = [
    "",
    "year=2024",
    "sector=agriculture&commune=casablanca",
    "province=casablanca&year_from=2019&year_to=2025",
    "holder_type=cooperative&status=completed&status=in_progress",
]


def generate(projects, *extra):
    call_command(
        "generate_dataset",
        f"--projects={projects}",
        f"--holders={projects // 5}",
        "--provinces=12",
        *extra,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


def queries_per_request(client):
    """{(url, filters): SQL statements of one request with an empty cache}."""
    counts = {}

    def counted(execute, sql, params, many, context):
        # Not the data version: a process reads it at most once a second, whatever the data.
        if "funding_data_version" not in sql:
            counts[key] += 1
        return execute(sql, params, many, context)

    for url in URLS:
        for filters in FILTER_SETS:
            key = (url, filters)
            counts[key] = 0
            cache.clear()  # every figure computed, none served from the cache
            with connection.execute_wrapper(counted):
                response = client.get(f"{url}?{filters}" if filters else url)
            assert response.status_code == 200, (url, filters)
    return counts


def test_dashboard_and_summary_queries_do_not_grow_with_the_data(client):
    generate(2_000)
    small = queries_per_request(client)

    generate(20_000, "--clear")
    large = queries_per_request(client)

    assert large == small
    # A fixed handful, not one per row: the data is 20,000 projects over 240 communes.
    assert max(large.values()) < 20
