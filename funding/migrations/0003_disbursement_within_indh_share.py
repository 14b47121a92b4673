"""Released INDH money never exceeds INDH's share: enforced by the database.

A CHECK constraint cannot look at other rows, so triggers do it: on every insert
or update of a disbursement, and on every change of a project's INDH share.
PostgreSQL reports a check_violation (23514), SQLite aborts; Django raises
IntegrityError in both cases.
"""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION funding_disbursement_within_indh_share() RETURNS trigger AS $$
DECLARE
    pid bigint;
BEGIN
    IF TG_TABLE_NAME = 'funding_project' THEN pid := NEW.id; ELSE pid := NEW.project_id; END IF;
    IF (SELECT COALESCE(SUM(amount), 0) FROM funding_disbursement WHERE project_id = pid)
       > (SELECT indh_contribution FROM funding_project WHERE id = pid) THEN
        RAISE EXCEPTION 'funding_disbursement_within_indh_share: disbursements exceed the INDH share of project %', pid
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funding_disbursement_within_indh_share
    AFTER INSERT OR UPDATE OF amount, project_id ON funding_disbursement
    FOR EACH ROW EXECUTE FUNCTION funding_disbursement_within_indh_share();

CREATE TRIGGER funding_project_indh_covers_disbursements
    AFTER UPDATE OF indh_contribution ON funding_project
    FOR EACH ROW WHEN (NEW.indh_contribution < OLD.indh_contribution)
    EXECUTE FUNCTION funding_disbursement_within_indh_share();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS funding_project_indh_covers_disbursements ON funding_project;
DROP TRIGGER IF EXISTS funding_disbursement_within_indh_share ON funding_disbursement;
DROP FUNCTION IF EXISTS funding_disbursement_within_indh_share();
"""

_SQLITE_EXCEEDS = """
(SELECT COALESCE(SUM(CAST(amount AS NUMERIC)), 0) FROM funding_disbursement WHERE project_id = {pid})
> (SELECT CAST(indh_contribution AS NUMERIC) FROM funding_project WHERE id = {pid})
"""

SQLITE = [
    f"""CREATE TRIGGER funding_disbursement_within_indh_share_insert
    AFTER INSERT ON funding_disbursement WHEN {_SQLITE_EXCEEDS.format(pid="NEW.project_id")}
    BEGIN SELECT RAISE(ABORT, 'funding_disbursement_within_indh_share'); END;""",
    f"""CREATE TRIGGER funding_disbursement_within_indh_share_update
    AFTER UPDATE OF amount, project_id ON funding_disbursement WHEN {_SQLITE_EXCEEDS.format(pid="NEW.project_id")}
    BEGIN SELECT RAISE(ABORT, 'funding_disbursement_within_indh_share'); END;""",
    f"""CREATE TRIGGER funding_project_indh_covers_disbursements
    AFTER UPDATE OF indh_contribution ON funding_project WHEN {_SQLITE_EXCEEDS.format(pid="NEW.id")}
    BEGIN SELECT RAISE(ABORT, 'funding_disbursement_within_indh_share'); END;""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS funding_disbursement_within_indh_share_insert;",
    "DROP TRIGGER IF EXISTS funding_disbursement_within_indh_share_update;",
    "DROP TRIGGER IF EXISTS funding_project_indh_covers_disbursements;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
