"""The historical holders' main-sector index dropped: no query reads it (see Holder.history)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0006_holder_directory_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalholder",
            name="main_sector",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cooperatives.sector",
                verbose_name="main sector",
            ),
        ),
    ]
