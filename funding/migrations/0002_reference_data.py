"""Programmes (INDH phase III) and funding partners the application ships with.

Idempotent: rows are matched by code and only created when missing.
"""

from django.db import migrations

PROGRAMMES = [
    (
        "P1",
        "Rattrapage des déficits en infrastructures et services sociaux de base",
        "تدارك الخصاص على مستوى البنيات التحتية والخدمات الاجتماعية الأساسية",
        "Bridging gaps in basic infrastructure and social services",
    ),
    (
        "P2",
        "Accompagnement des personnes en situation de précarité",
        "مواكبة الأشخاص في وضعية هشاشة",
        "Support for people in precarious situations",
    ),
    (
        "P3",
        "Amélioration du revenu et inclusion économique des jeunes",
        "تحسين الدخل والإدماج الاقتصادي للشباب",
        "Improving income and the economic inclusion of young people",
    ),
    (
        "P4",
        "Impulsion du capital humain des générations montantes",
        "الدفع بالرأسمال البشري للأجيال الصاعدة",
        "Boosting the human capital of rising generations",
    ),
]

PARTNERS = [
    ("provincial-council", "Conseil provincial de Khénifra", "المجلس الإقليمي لخنيفرة", "Khénifra provincial council"),
    ("regional-council", "Conseil régional Béni Mellal-Khénifra", "مجلس جهة بني ملال خنيفرة", "Béni Mellal-Khénifra regional council"),
    ("commune", "Commune", "الجماعة", "Commune"),
    ("agriculture-ministry", "Ministère de l'Agriculture", "وزارة الفلاحة", "Ministry of Agriculture"),
    ("handicrafts-ministry", "Ministère de l'Artisanat et de l'Économie sociale", "وزارة الصناعة التقليدية والاقتصاد الاجتماعي", "Ministry of Handicrafts and Social Economy"),
    ("odco", "Office du Développement de la Coopération (ODCo)", "مكتب تنمية التعاون", "Cooperative Development Office (ODCo)"),
    ("ads", "Agence de Développement Social", "وكالة التنمية الاجتماعية", "Social Development Agency"),
    ("bank", "Établissement bancaire", "مؤسسة بنكية", "Bank"),
    ("other", "Autre partenaire", "شريك آخر", "Other partner"),
]


def load(apps, schema_editor):
    Programme = apps.get_model("funding", "Programme")
    Partner = apps.get_model("funding", "Partner")
    for order, (code, fr, ar, en) in enumerate(PROGRAMMES, start=1):
        Programme.objects.get_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en, "ordering": order}
        )
    for order, (code, fr, ar, en) in enumerate(PARTNERS, start=1):
        Partner.objects.get_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en, "ordering": order}
        )


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
