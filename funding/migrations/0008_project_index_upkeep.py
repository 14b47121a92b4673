"""One index less per foreign key that a composite index already serves; a partial index for demo rows.

The single-column indexes Django makes for the sector, commune and programme keys duplicate the
(sector, year), (commune, year) and (programme, year) indexes, which serve the same lookups:
dropping them spares an import three index updates per row. They are dropped with SQL rather
than AlterField, which on SQLite rebuilds the projects table, and with it breaks the
disbursement trigger of migration 0003 that names the table.
"""

from django.db import migrations, models

# Django's own names for the foreign keys' indexes (deterministic: table, column, hash).
FOREIGN_KEY_INDEXES = {
    "funding_project_sector_id_ce7801f7": "sector_id",
    "funding_project_commune_id_df956c44": "commune_id",
    "funding_project_programme_id_8e51e5ad": "programme_id",
}


def foreign_key(to, name):
    return models.ForeignKey(
        db_index=False,
        on_delete=models.deletion.PROTECT,
        related_name="projects",
        to=to,
        verbose_name=name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cooperatives", "0005_roles"),
        ("funding", "0007_project_list_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("project", "sector", foreign_key("cooperatives.sector", "sector")),
                migrations.AlterField("project", "commune", foreign_key("cooperatives.commune", "commune")),
                migrations.AlterField("project", "programme", foreign_key("funding.programme", "programme")),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX IF NOT EXISTS {name} ON funding_project ({column})",
                )
                for name, column in FOREIGN_KEY_INDEXES.items()
            ],
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(condition=models.Q(("is_demo", True)), fields=["is_demo"], name="fund_proj_demo_idx"),
        ),
    ]
