"""Saving on PostgreSQL, new projects are written while the next rows are still being checked.

ProjectImport.stream() sends batches of new projects (and the new holders they name) to a
writer thread as soon as they are planned. Whatever happens after a batch has gone, the
import stays all or nothing: an error further down, or a database error in the writer,
leaves nothing saved; and holders completed by later rows are saved as the whole file says.
"""

import pytest
from django.db import OperationalError, connection
from django.utils import translation

from cooperatives.models import Holder
from funding import aggregates, bulk_writes, importers, services, workbook
from funding.models import ImportBatch, Project
from tests.factories import make_project
from tests.funding.workbooks import project_row, xlsx

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the streaming writer is PostgreSQL's"),
]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Batches of two rows, so that a handful of rows is streamed in several batches."""
    monkeypatch.setattr(importers, "STREAM_BATCH", 2)


def run(rows):
    with translation.override("en"):
        return services.import_workbook(file=xlsx(rows), file_name="bilan.xlsx")


def nothing_saved():
    assert not Project.objects.exists()
    assert not Holder.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not Project.history.exists()
    assert not Holder.history.exists()
    assert aggregates.drift() == []


def test_an_error_after_several_streamed_batches_saves_nothing(monkeypatch):
    written = []
    write_batch = importers.ProjectImport._write_batch

    def counted(self, creates, cursor):
        write_batch(self, creates, cursor)
        written.append(len(creates))

    monkeypatch.setattr(importers.ProjectImport, "_write_batch", counted)
    rows = [project_row(f"S-{n}", **{"Porteur du projet": f"Coopérative {n % 3}"}) for n in range(7)]
    rows.append(project_row("S-BAD", **{"Commune": "Atlantis"}))
    rows.append(project_row("S-8", **{"Année": 1990}))
    result = run(rows)
    assert written == [2, 2, 2]  # written before the bad row was reached, then undone
    assert not result.ok
    assert [error.row for error in result.errors] == [9, 10]  # both listed, in sheet order
    nothing_saved()


def test_a_database_error_in_the_writer_is_reported_and_saves_nothing(monkeypatch):
    taken = make_project().pk  # its id is given to a new project: the COPY breaks the primary key
    Project.objects.all().delete()
    Holder.objects.all().delete()
    real = bulk_writes.next_ids

    def colliding(model, count, cursor=None):
        ids = real(model, count, cursor)
        return [taken, *ids[1:]] if model is Project else ids

    monkeypatch.setattr(bulk_writes, "next_ids", colliding)
    make_project(pk=taken, code="ALREADY")
    result = run([project_row(f"S-{n}") for n in range(5)])
    assert not result.ok
    assert "database refused" in result.errors[0].message
    assert list(Project.objects.values_list("code", flat=True)) == ["ALREADY"]
    assert not ImportBatch.objects.exists()
    assert aggregates.drift() == []


def test_holders_completed_by_later_rows_are_saved_as_the_whole_file_says():
    rows = [
        project_row("S-1", **{"Porteur du projet": "Coopérative Amal", "Nombre d'adhérents": None}),
        project_row("S-2", **{"Porteur du projet": "Coopérative Amal", "Nombre d'adhérents": None}),
        project_row("S-3", **{"Porteur du projet": "Coopérative Nour"}),
        project_row(
            "S-4",
            **{
                "Porteur du projet": "Coopérative Amal",
                "Nombre d'adhérents": 40,
                "N° d'immatriculation": "RC-778",
            },
        ),
    ]
    result = run(rows)
    assert (result.ok, result.created) == (True, 4)
    amal = Holder.objects.get(name="Coopérative Amal")
    assert (amal.members_total, amal.registration_number) == (40, "RC-778")
    assert set(amal.projects.values_list("code", flat=True)) == {"S-1", "S-2", "S-4"}
    # Its one historical record is the holder as saved, not as the first batch wrote it.
    record = Holder.history.get(id=amal.pk)
    assert (record.history_type, record.members_total, record.registration_number) == ("+", 40, "RC-778")
    assert Project.history.filter(import_batch=result.batch, history_type="+").count() == 4
    assert aggregates.drift() == []


@pytest.mark.parametrize(
    "zipped_bytes_per_row",
    [1, 10**9],
    ids=["every project loaded while the sheet is parsed", "the file's projects fetched by code"],
)
def test_the_projects_a_file_names_are_found_however_they_are_loaded(monkeypatch, zipped_bytes_per_row):
    # The rows in the database load while the sheet is parsed, every project when the file
    # looks about the size of the table (judged by its size), else only those it names.
    monkeypatch.setattr(workbook, "_ZIPPED_BYTES_PER_ROW", zipped_bytes_per_row)
    first = run([project_row("S-1"), project_row("S-2")])
    assert (first.ok, first.created) == (True, 2)
    for n in range(5):
        make_project(code=f"OTHER-{n}")
    again = run([project_row("S-1"), project_row("S-2", **{"Coût global (DH)": 450000}), project_row("S-3")])
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 1, 1, 1), again.errors
    assert Project.objects.get(code="S-2").total_cost == 450000
    assert Project.objects.count() == 8


def test_a_database_error_while_the_stored_rows_load_is_not_called_a_broken_file(monkeypatch):
    def failing(self, rows_estimate):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(importers.StoredRows, "load", failing)
    result = run([project_row("S-1")])
    assert not result.ok
    assert [error.message for error in result.errors] == [
        "The database could not complete the import (OperationalError). "
        "Nothing was saved: import the file again."
    ]
    nothing_saved()
