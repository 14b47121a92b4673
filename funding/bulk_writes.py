"""Writing many rows at once, for imports: plain rows in, one statement per table out.

PostgreSQL gets COPY (several times faster than INSERT for 10⁵ rows); other databases
(SQLite in development) get Django's bulk_create and bulk_update. Historical records
(django-simple-history, whose signals bulk writes do not send) are copied from the
saved rows by the database itself, each pointing at the import's batch.
"""

import queue
import threading
import time
from contextlib import contextmanager
from itertools import islice

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

BATCH_SIZE = 2000


def chunks(items, size):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert(model, columns, rows, *, returning_ids=0):
    """Insert plain rows (values in ``columns`` order, attribute names); returns new ids if asked.

    On PostgreSQL, COPY: several times faster than INSERT for 10⁵ rows. Ids are drawn
    from the table's own sequence first (never reset: concurrent inserts stay safe).
    Elsewhere, bulk_create.
    """
    if connection.vendor == "postgresql":
        ids = []
        with connection.cursor() as cursor:
            if returning_ids:
                ids = next_ids(model, returning_ids, cursor)
                rows = ((pk, *values[1:]) for pk, values in zip(ids, rows, strict=True))
            copy_rows(cursor.cursor, model, columns, rows)
        return ids
    objects = [model(**dict(zip(columns, values, strict=True))) for values in rows]
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    return [obj.pk for obj in objects]


def copy_rows(cursor, model, columns, rows):
    """COPY ``rows`` (values in ``columns`` order) into the model's table (``cursor``: psycopg's)."""
    meta = model._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(meta.get_field(name).column) for name in columns)
    with cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
        for values in rows:
            copy.write_row(values)


_NEXT_IDS = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"


def next_ids(model, count, cursor=None):
    """``count`` new primary keys from the table's own sequence (PostgreSQL; ``cursor``: a
    psycopg cursor, from BackgroundWriter's thread)."""
    if not count:
        return []
    meta = model._meta
    if cursor is None:
        with connection.cursor() as django_cursor:
            return next_ids(model, count, django_cursor)
    cursor.execute(_NEXT_IDS, [meta.db_table, meta.pk.column, count])
    return [pk for (pk,) in cursor.fetchall()]


def check_constraints_now():
    """Check foreign keys row by row as COPY streams rows in, rather than all at the commit
    (Django's default): PostgreSQL then does it on its own core while Python is still busy."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class BackgroundWriter:
    """Writes batches from a thread of its own (PostgreSQL), so that Python goes on checking
    the next rows while the database inserts, indexes and checks the last ones.

    ``write(batch, cursor)`` runs in the writer thread with a psycopg cursor on the calling
    thread's connection, in its transaction. The caller must not query meanwhile (psycopg
    would make it wait) and leaves the block before anything else. A database error stops
    the writing and is raised, as Django's, when the block ends.
    """

    QUEUED_BATCHES = 4  # how far the checking may run ahead of the database

    def __init__(self, write):
        self.write = write
        self.error = None
        self.batches = queue.Queue(maxsize=self.QUEUED_BATCHES)

    @staticmethod
    def supported():
        return connection.vendor == "postgresql"

    def __enter__(self):
        connection.ensure_connection()
        self.raw = connection.connection
        self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self.thread.start()
        return self

    def send(self, batch):
        if self.error is None:
            self.batches.put(batch)

    def __exit__(self, kind, exc, traceback):
        self.batches.put(None)
        self.thread.join()
        if self.error is not None and kind is None:
            with connection.wrap_database_errors:
                raise self.error

    def _run(self):
        while (batch := self.batches.get()) is not None:
            if self.error is not None:
                continue  # drained: the checking thread must never wait on a full queue
            try:
                with self.raw.cursor() as cursor:
                    self.write(batch, cursor)
            except Exception as exc:  # raised in the calling thread, at the end of the block
                self.error = exc


def update(model, columns, rows):
    """Update rows by primary key: ``rows`` are (pk, *values in ``columns`` order).

    On PostgreSQL, COPY into a temporary table and one UPDATE … FROM (bulk_update writes a
    CASE per column and row: minutes for 10⁵ rows). Elsewhere, bulk_update.
    """
    if not rows:
        return
    meta = model._meta
    if connection.vendor != "postgresql":
        objects = [model(pk=pk, **dict(zip(columns, values, strict=True))) for pk, *values in rows]
        model.objects.bulk_update(objects, columns, batch_size=BATCH_SIZE)
        return
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    names = [quote(meta.get_field(name).column) for name in columns]
    listed = ", ".join(names)
    assignments = ", ".join(f"{name} = import_update.{name}" for name in names)
    # Identifiers come from the model's metadata; the values travel through COPY.
    create = f"CREATE TEMPORARY TABLE import_update ON COMMIT DROP AS SELECT {pk}, {listed} FROM {table} "  # noqa: S608
    update = f"UPDATE {table} SET {assignments} FROM import_update WHERE {table}.{pk} = import_update.{pk}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(create + "WITH NO DATA")
        with cursor.cursor.copy(f"COPY import_update ({pk}, {listed}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(values)
        cursor.execute(update)
        cursor.execute("DROP TABLE import_update")


@contextmanager
def timed(timings, step):
    """Add the seconds the block takes to ``timings[step]`` (-v 2 and bench/ print them)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0) + time.perf_counter() - started


@contextmanager
def aggregates_deferred():
    """Project inserts inside this block skip the aggregate tables' insert trigger (PostgreSQL).

    The trigger (migration 0006) would apply the rows as an array, about 3.5 s for 10⁵ rows;
    apply_inserted_projects() then applies them from a table in about 1.5 s (migration 0009).
    The flag is transaction-local (set_config(…, true)) and switched off again on the way
    out, so nothing else the transaction writes is deferred; the caller must call
    apply_inserted_projects() with the new ids before committing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('indh.aggregates_deferred', 'on', true)")
    yield
    # Not on an error: the transaction is then rolled back, the setting with it, and a query
    # would only hide the error behind "current transaction is aborted".
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('indh.aggregates_deferred', 'off', true)")


def apply_inserted_projects(ids):
    """Bring the aggregate tables up to date with the projects ``ids`` inserted under
    aggregates_deferred() (PostgreSQL; SQLite reads the projects table directly)."""
    if connection.vendor != "postgresql" or not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT funding_aggregate_apply_inserted(%s::bigint[])", [list(ids)])


class History:
    """Historical records for rows written in bulk, all pointing at the import's batch.

    Copies the rows as saved, in the database (INSERT … SELECT), so a record is exactly
    what the table holds; django-simple-history's signals do not fire for bulk writes.
    """

    def __init__(self, batch, user):
        self.batch = batch
        self.user_id = user.pk if user is not None and user.pk else None
        self.reason = (_("Import of %(file)s") % {"file": batch.file_name})[:100]
        self.date = timezone.now()

    def record(self, model, history_type, key, values):
        if not values:
            return
        quote = connection.ops.quote_name
        historical = model.history.model
        columns = [field.column for field in historical.tracked_fields]
        tracked = ", ".join(quote(column) for column in columns)
        key_column = quote(model._meta.get_field(key).column)
        # Identifiers come from the models' metadata; every value is a parameter.
        sql = (
            f"INSERT INTO {quote(historical._meta.db_table)} ({tracked}, history_date, "  # noqa: S608
            f"history_change_reason, history_type, history_user_id, import_batch_id) "
            f"SELECT {tracked}, %s, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        )
        params = [self.date, self.reason, history_type, self.user_id, self.batch.pk]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(sql + f"WHERE {key_column} = ANY(%s)", [*params, list(values)])
                return
            for chunk in chunks(values, 500):
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(sql + f"WHERE {key_column} IN ({placeholders})", [*params, *chunk])
