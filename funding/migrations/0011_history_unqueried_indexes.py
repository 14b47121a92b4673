"""Indexes no query reads dropped from the historical tables (see Project.history).

Historical records are read by object (id), by import (import_batch) and, for an official's list
of imports, by commune. simple-history indexes every column it copies from a unique field or a
foreign key: the code, holder, sector, programme and partner indexes served nothing, and each
made every save, and an import's 10⁵ historical records, slower to write.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0007_history_unqueried_indexes"),
        ("funding", "0010_data_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalpartnercontribution",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="funding.partner",
                verbose_name="partner",
            ),
        ),
        migrations.AlterField(
            model_name="historicalproject",
            name="code",
            field=models.CharField(max_length=50, verbose_name="project code"),
        ),
        migrations.AlterField(
            model_name="historicalproject",
            name="holder",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cooperatives.holder",
                verbose_name="holder",
            ),
        ),
        migrations.AlterField(
            model_name="historicalproject",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="funding.programme",
                verbose_name="programme",
            ),
        ),
        migrations.AlterField(
            model_name="historicalproject",
            name="sector",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cooperatives.sector",
                verbose_name="sector",
            ),
        ),
    ]
