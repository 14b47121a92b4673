"""The roles officials are given: three auth groups (the README describes them).

Group names are stable English identifiers (indh_site/roles.py); superusers need no group. Idempotent: a
group that exists keeps the permissions an administrator added to it, and gets the missing ones.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REFERENCE_VIEW = [
    "cooperatives.view_region",
    "cooperatives.view_province",
    "cooperatives.view_commune",
    "cooperatives.view_sector",
    "funding.view_programme",
    "funding.view_partner",
]

DATA_ENTRY = REFERENCE_VIEW + [
    "cooperatives.add_holder",
    "cooperatives.change_holder",
    "cooperatives.view_holder",
    "cooperatives.import_holder",
    "funding.add_project",
    "funding.change_project",
    "funding.view_project",
    "funding.import_project",
    "funding.add_partnercontribution",
    "funding.change_partnercontribution",
    "funding.view_partnercontribution",
    "funding.add_disbursement",
    "funding.change_disbursement",
    "funding.view_disbursement",
    "funding.view_importbatch",
]

VALIDATION = DATA_ENTRY + [
    "funding.validate_project",
    "cooperatives.delete_holder",
    "funding.delete_project",
    "funding.delete_partnercontribution",
    "funding.delete_disbursement",
]

ANALYSIS = REFERENCE_VIEW + [
    "cooperatives.view_holder",
    "cooperatives.export_holder",
    "funding.view_project",
    "funding.export_project",
    "funding.view_partnercontribution",
    "funding.view_disbursement",
    "funding.view_importbatch",
]

ROLES = {
    "Data-entry officer": DATA_ENTRY,
    "Validator": VALIDATION,
    "Read-only analyst": ANALYSIS,
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after the whole migrate run (post_migrate): make sure the ones
    # named here exist now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cooperatives", "0004_permissions"),
        ("funding", "0005_validate_permission"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
