# ruff: noqa: S608 (fixed table names, no input)
from django.db import migrations

# The territory generate_dataset used to invent (issue 6) gives way to the real one (issue 16):
# a load-test database made before keeps no invented commune. Its holders and projects were
# all synthetic; they go first, with their partner lines, disbursements and audit rows.
PROJECTS = (
    "SELECT p.id FROM funding_project p JOIN cooperatives_commune c ON c.id = p.commune_id "
    "WHERE c.is_synthetic"
)
HOLDERS = (
    "SELECT h.id FROM cooperatives_holder h JOIN cooperatives_commune c ON c.id = h.commune_id "
    "WHERE c.is_synthetic"
)
DELETES = [
    f"DELETE FROM funding_partnercontribution WHERE project_id IN ({PROJECTS})",
    f"DELETE FROM funding_historicalpartnercontribution WHERE project_id IN ({PROJECTS})",
    f"DELETE FROM funding_disbursement WHERE project_id IN ({PROJECTS})",
    f"DELETE FROM funding_historicaldisbursement WHERE project_id IN ({PROJECTS})",
    f"DELETE FROM funding_historicalproject WHERE id IN ({PROJECTS})",
    f"DELETE FROM funding_project WHERE id IN ({PROJECTS})",
    f"DELETE FROM cooperatives_historicalholder WHERE id IN ({HOLDERS})",
    f"DELETE FROM cooperatives_holder WHERE id IN ({HOLDERS})",
    "DELETE FROM cooperatives_provinceassignment WHERE province_id IN "
    "(SELECT id FROM cooperatives_province WHERE is_synthetic)",
    "DELETE FROM cooperatives_commune WHERE is_synthetic",
    "DELETE FROM cooperatives_province WHERE is_synthetic",
    "DELETE FROM cooperatives_region WHERE code LIKE 'syn-%%' "
    "AND NOT EXISTS (SELECT 1 FROM cooperatives_province p WHERE p.region_id = cooperatives_region.id)",
]


def delete_invented_territory(apps, schema_editor):
    Commune = apps.get_model("cooperatives", "Commune")
    if not Commune.objects.filter(is_synthetic=True).exists():
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DELETES:
            cursor.execute(statement, [])
        if schema_editor.connection.vendor == "postgresql":
            # Check the deferred foreign keys now: a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0014_holder_registration_per_province"),
        # The funding tables the invented communes' projects sit in.
        ("funding", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(delete_invented_territory, migrations.RunPython.noop),
        migrations.RemoveField(model_name="commune", name="is_synthetic"),
        migrations.RemoveField(model_name="province", name="is_synthetic"),
    ]
