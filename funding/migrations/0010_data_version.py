"""The data version of the public figures, as a PostgreSQL sequence (see funding.queries.data_version).

Cached figures and pages are keyed by a version that every change bumps. Kept in the cache, the
version is shared only as far as the cache is: with the default local-memory cache, each worker
process has its own, and a change saved through one worker would stay invisible to the others
until their entries expire. A sequence is shared by every process and server, each reading it at
most once a second (funding.queries.data_version), and nextval() never waits for another transaction. SQLite (one process in
development) keeps the version in the cache.
"""

from django.db import migrations


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS funding_data_version")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS funding_data_version")


class Migration(migrations.Migration):
    dependencies = [("funding", "0009_import_aggregates")]

    operations = [migrations.RunPython(create_sequence, drop_sequence, elidable=False)]
