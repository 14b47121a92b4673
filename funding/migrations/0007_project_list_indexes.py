"""Indexes for the admin's project list at national scale (issue 6), PostgreSQL only.

- (year DESC, code): the list's default order (Project.Meta.ordering = ["-year", "code"]), so
  a page of fifty is read from the index instead of sorting a million rows.
- Trigram indexes (pg_trgm) on UPPER(code), UPPER(title) and the holder's UPPER(name): the
  admin's search is a case-insensitive "contains" (icontains: UPPER(col) LIKE UPPER('%…%')),
  which a B-tree cannot serve; and UPPER(registration_number) for the exact ("=") search of a
  registration number (iexact). funding.admin_scale.IndexedSearchMixin looks each search
  field up through its own index.

Like the triggers of 0003 and 0006 they live outside Django's model state (a trigram index
needs an extension and an operator class SQLite does not have). pg_trgm is a trusted
extension: the database's owner may create it without being a superuser.
"""

from django.db import migrations

POSTGRES = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS fund_proj_list_order_idx ON funding_project (year DESC, code);
CREATE INDEX IF NOT EXISTS fund_proj_code_trgm_idx
    ON funding_project USING gin ((UPPER(code::text)) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS fund_proj_title_trgm_idx
    ON funding_project USING gin ((UPPER(title::text)) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS coop_holder_name_trgm_idx
    ON cooperatives_holder USING gin ((UPPER(name::text)) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS coop_holder_registration_upper_idx
    ON cooperatives_holder (UPPER(registration_number::text));
"""

POSTGRES_REVERSE = """
DROP INDEX IF EXISTS coop_holder_registration_upper_idx;
DROP INDEX IF EXISTS coop_holder_name_trgm_idx;
DROP INDEX IF EXISTS fund_proj_title_trgm_idx;
DROP INDEX IF EXISTS fund_proj_code_trgm_idx;
DROP INDEX IF EXISTS fund_proj_list_order_idx;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0002_initial"),
        ("funding", "0006_project_aggregate"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
