"""Issue 18: every holder's province is its commune's — filled for the existing rows, then kept so.

On PostgreSQL a trigger sets it on every insert and every change of commune (COPY and raw SQL
included), and a commune moved to another province takes its holders along; elsewhere (SQLite)
Holder.save() and HolderQuerySet.bulk_create fill it.
Also gives the Validator group the new permission to merge duplicate holders (0005_roles).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import OuterRef, Subquery

POSTGRES = r"""
CREATE OR REPLACE FUNCTION cooperatives_holder_set_province() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    SELECT province_id INTO NEW.province_id FROM cooperatives_commune WHERE id = NEW.commune_id;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS cooperatives_holder_province ON cooperatives_holder;
CREATE TRIGGER cooperatives_holder_province
    BEFORE INSERT OR UPDATE OF commune_id, province_id ON cooperatives_holder
    FOR EACH ROW EXECUTE FUNCTION cooperatives_holder_set_province();

CREATE OR REPLACE FUNCTION cooperatives_commune_move_holders() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cooperatives_holder SET province_id = NEW.province_id WHERE commune_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS cooperatives_commune_holders_province ON cooperatives_commune;
CREATE TRIGGER cooperatives_commune_holders_province
    AFTER UPDATE OF province_id ON cooperatives_commune
    FOR EACH ROW WHEN (OLD.province_id IS DISTINCT FROM NEW.province_id)
    EXECUTE FUNCTION cooperatives_commune_move_holders();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS cooperatives_commune_holders_province ON cooperatives_commune;
DROP FUNCTION IF EXISTS cooperatives_commune_move_holders();
DROP TRIGGER IF EXISTS cooperatives_holder_province ON cooperatives_holder;
DROP FUNCTION IF EXISTS cooperatives_holder_set_province();
"""

MERGE = "merge_holder"
ROLE = "Validator"


def forwards(apps, schema_editor):
    Holder = apps.get_model("cooperatives", "Holder")
    Commune = apps.get_model("cooperatives", "Commune")
    # One statement: UPDATE … SET province_id = (SELECT province_id FROM commune WHERE id = commune_id).
    Holder.objects.update(
        province_id=Subquery(Commune.objects.filter(pk=OuterRef("commune_id")).values("province_id")[:1])
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)

    app_config = apps.get_app_config("cooperatives")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ROLE)
    group.permissions.add(Permission.objects.get(content_type__app_label="cooperatives", codename=MERGE))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="cooperatives", codename=MERGE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cooperatives", "0012_holder_province_ice_alias"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
