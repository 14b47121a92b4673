"""An import keeps the aggregate tables exact although it applies its new projects itself.

funding/importers.py inserts new projects with the aggregate insert trigger deferred
(migration 0009) and applies them in one set-based step; updates go through the triggers.
funding.aggregates.drift() — the tables against a recomputation from the projects — must
stay empty whatever the import does.
"""

from decimal import Decimal

import pytest
from django.db import connection, transaction

from cooperatives.models import Holder, HolderType
from funding import aggregates, bulk_writes, services
from funding.models import Project, ProjectStatus
from tests.factories import make_holder, make_project
from tests.funding.workbooks import project_row, xlsx

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the aggregate tables are PostgreSQL's (SQLite reads projects)",
    ),
]


def run(rows):
    result = services.import_workbook(file=xlsx(rows), file_name="bilan.xlsx")
    assert result.ok, result.errors
    return result


def rows_for(existing):
    """New projects of new and existing holders, across years, sectors, communes and statuses."""
    return [
        project_row("IMP-001"),
        project_row("IMP-002", **{"Année": 2021, "Statut": "Annulé"}),
        project_row("IMP-003", **{"Porteur du projet": existing.name, "Commune": "M'Rirt"}),
        project_row(
            "IMP-004",
            **{
                "Porteur du projet": "Association Amal",
                "Type de porteur": "Association",
                "Secteur": "Agriculture",
                "Programme": "P1",
                "Année": 2019,
            },
        ),
        project_row("IMP-005", **{"Porteur du projet": "Association Amal", "Type de porteur": "Association"}),
        project_row(
            "IMP-006", **{"Porteur du projet": "Jeune Idrissi", "Type de porteur": "Jeune porteur de projet"}
        ),
    ]


def test_a_first_import_and_a_changing_reimport_keep_the_tables_in_step():
    existing = make_holder(name="Coopérative Ouiam")
    make_project(holder=existing, year=2022)
    make_project(holder=existing, year=2020, status=ProjectStatus.CANCELLED)
    assert aggregates.drift() == []

    rows = rows_for(existing)
    assert run(rows).created == 6
    assert aggregates.drift() == []

    # Amounts, status, year and holder type change; one more project for a holder with projects.
    rows[0]["Coût global (DH)"] = 250000
    rows[1]["Statut"] = "En cours"
    rows[2]["Année"] = 2018
    rows[3]["Type de porteur"] = "Coopérative"
    rows[4]["Type de porteur"] = "Coopérative"
    rows.append(project_row("IMP-007", **{"Porteur du projet": existing.name, "Année": 2025}))
    result = run(rows)
    assert (result.created, result.updated) == (1, 4)  # rows 0-2, and the holder of rows 3-4 once
    assert Holder.objects.get(name="Association Amal").holder_type == HolderType.COOPERATIVE
    assert aggregates.drift() == []


def test_projects_saved_after_an_import_in_the_same_transaction_still_reach_the_tables():
    """The deferral ends with the import's own insert: later writes go through the trigger."""
    with transaction.atomic():
        run([project_row("IMP-001")])
        make_project(year=2023, total_cost=Decimal("100500.00"))
        assert aggregates.drift() == []


def test_deferred_inserts_reach_the_tables_only_when_applied():
    holder = make_holder()
    template = make_project(holder=holder)
    columns = (
        "id", "code", "title", "holder_id", "sector_id", "commune_id", "programme_id", "year", "status",
        "total_cost", "indh_contribution", "partner_contribution", "holder_contribution", "jobs_created",
        "agreement_number", "private_notes", "is_demo", "created_at", "updated_at",
    )  # fmt: skip
    values = [
        (None, f"DEF-{n}", "Projet", holder.pk, template.sector_id, template.commune_id,
         template.programme_id, 2020 + n, "approved", Decimal("1000.00"), Decimal("500.00"),
         Decimal("0.00"), Decimal("0.00"), n, "", "", False, template.created_at, template.created_at)
        for n in range(3)
    ]  # fmt: skip
    with transaction.atomic():
        with bulk_writes.aggregates_deferred():
            ids = bulk_writes.insert(Project, columns, values, returning_ids=len(values))
        assert aggregates.drift() != []  # the trigger did return early
        bulk_writes.apply_inserted_projects(ids)
        assert aggregates.drift() == []
