"""The time of the last change of the public figures (funding.models.DataChange).

Seeded with the latest project change already in the database, so a site upgraded with its
data shows a true "last updated" before the next change.
"""

from django.db import migrations, models
from django.db.models import Max


def seed(apps, schema_editor):
    Project = apps.get_model("funding", "Project")
    DataChange = apps.get_model("funding", "DataChange")
    latest = Project.objects.aggregate(latest=Max("updated_at"))["latest"]
    if latest is not None:
        DataChange.objects.create(pk=1, changed_at=latest)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0011_history_unqueried_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changed_at", models.DateTimeField(verbose_name="changed at")),
            ],
            options={
                "verbose_name": "data change",
                "verbose_name_plural": "data changes",
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop, elidable=True),
    ]
