"""Valid rows for tests, built on the reference data the migrations load."""

import itertools
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperatives.models import Commune, Holder, HolderType, Sector
from funding.models import Programme, Project

_sequence = itertools.count(1)


def make_holder(**fields):
    n = next(_sequence)
    defaults = {
        "name": f"Coopérative test {n}",
        "holder_type": HolderType.COOPERATIVE,
        "commune": Commune.objects.get(code="khenifra"),
        "main_sector": Sector.objects.get(code="agriculture"),
    }
    defaults.update(fields)
    return Holder.objects.create(**defaults)


def make_project(**fields):
    n = next(_sequence)
    defaults = {
        "code": f"TEST-{n:05d}",
        "title": f"Projet test {n}",
        "sector": Sector.objects.get(code="agriculture"),
        "commune": Commune.objects.get(code="khenifra"),
        "programme": Programme.objects.get(code="P3"),
        "year": 2024,
        "total_cost": Decimal("100000.00"),
        "indh_contribution": Decimal("60000.00"),
        "partner_contribution": Decimal("20000.00"),
        "holder_contribution": Decimal("20000.00"),
    }
    defaults.update(fields)
    if "holder" not in defaults:
        defaults["holder"] = make_holder(commune=defaults["commune"])
    return Project.objects.create(**defaults)


@contextmanager
def only_the_data_version_read():
    """Assert that the block reads nothing from the database but the data version of cached figures.

    That version is a PostgreSQL sequence (one read per cached answer); elsewhere it lives in the cache.
    """
    with CaptureQueriesContext(connection) as queries:
        yield
    assert data_queries(queries) == []


def data_queries(captured):
    """The statements a CaptureQueriesContext saw, less the reads of the data version.

    A process reads that version at most once a second (funding.queries.data_version), so how many
    of its reads a request makes depends on the clock, not on the data.
    """
    return [query["sql"] for query in captured.captured_queries if "funding_data_version" not in query["sql"]]
