"""Territory and sectors the application ships with (spec: reference-data.md).

Idempotent: rows are matched by code and only created when missing, so officials'
corrections made in the admin are never overwritten.
"""

from django.db import migrations

REGION = ("BMK", "Béni Mellal-Khénifra", "جهة بني ملال خنيفرة", "Béni Mellal-Khénifra")
PROVINCE = ("KHN", "Khénifra", "إقليم خنيفرة", "Khénifra")

COMMUNES = [
    ("khenifra", "Khénifra", "خنيفرة", "municipality"),
    ("mrirt", "M'Rirt", "مريرت", "municipality"),
    ("aguelmam-azegza", "Aguelmam Azegza", "أكلمام أزكزا", "rural"),
    ("aguelmous", "Aguelmous", "أكلموس", "rural"),
    ("ait-ishaq", "Aït Ishaq", "آيت إسحاق", "rural"),
    ("ait-saadelli", "Aït Saadelli", "آيت سعدلي", "rural"),
    ("el-borj", "El Borj", "البرج", "rural"),
    ("el-hammam", "El Hammam", "الحمام", "rural"),
    ("el-kbab", "El Kbab", "القباب", "rural"),
    ("had-bouhssoussen", "Had Bouhssoussen", "حد بوحسوسن", "rural"),
    ("kerrouchen", "Kerrouchen", "كروشن", "rural"),
    ("lehri", "Lehri", "لهري", "rural"),
    ("moha-ou-hammou-zayani", "Moha Ou Hammou Zayani", "موحى أوحمو الزياني", "rural"),
    ("moulay-bouazza", "Moulay Bouazza", "مولاي بوعزة", "rural"),
    ("oum-rabia", "Oum Rabia", "أم الربيع", "rural"),
    ("ouaoumana", "Ouaoumana", "واومانة", "rural"),
    ("sebt-ait-rahou", "Sebt Aït Rahou", "سبت آيت رحو", "rural"),
    ("sidi-amar", "Sidi Amar", "سيدي عمرو", "rural"),
    ("sidi-hcine", "Sidi Hcine", "سيدي احساين", "rural"),
    ("sidi-lamine", "Sidi Lamine", "سيدي لامين", "rural"),
    ("sidi-yahya-ou-saad", "Sidi Yahya Ou Saad", "سيدي يحيى أوسعد", "rural"),
    ("tighassaline", "Tighassaline", "تيغسالين", "rural"),
]

SECTORS = [
    ("agriculture", "Agriculture", "الفلاحة", "Agriculture"),
    ("handicrafts", "Artisanat", "الصناعة التقليدية", "Handicrafts"),
    ("tourism", "Tourisme", "السياحة", "Tourism"),
    ("food", "Produits alimentaires", "المواد الغذائية", "Food products"),
    ("argan", "Argane", "الأركان", "Argan"),
    ("aromatic-plants", "Plantes aromatiques et médicinales", "النباتات العطرية والطبية", "Aromatic and medicinal plants"),
    ("forestry", "Forêts", "الغابات", "Forestry"),
    ("fishing", "Pêche", "الصيد البحري", "Fishing"),
    ("housing", "Habitat", "السكن", "Housing"),
    ("transport", "Transport", "النقل", "Transport"),
    ("services", "Services", "الخدمات", "Services"),
    ("retail", "Commerce de détail", "تجارة التقسيط", "Retail trade"),
    ("other", "Autre", "أخرى", "Other"),
]


def load(apps, schema_editor):
    Region = apps.get_model("cooperatives", "Region")
    Province = apps.get_model("cooperatives", "Province")
    Commune = apps.get_model("cooperatives", "Commune")
    Sector = apps.get_model("cooperatives", "Sector")

    code, fr, ar, en = REGION
    region, _ = Region.objects.get_or_create(code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en})
    code, fr, ar, en = PROVINCE
    province, _ = Province.objects.get_or_create(
        code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en, "region": region}
    )
    for code, fr, ar, kind in COMMUNES:
        Commune.objects.get_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": fr, "kind": kind, "province": province}
        )
    for order, (code, fr, ar, en) in enumerate(SECTORS, start=1):
        Sector.objects.get_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en, "ordering": order}
        )


class Migration(migrations.Migration):
    dependencies = [("cooperatives", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
