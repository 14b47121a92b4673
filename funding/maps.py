"""The dashboard's map: a server-rendered SVG choropleth of a province's communes, or of the provinces.

The shapes are the SVG paths stored on the Commune and Province rows at load time
(cooperatives/shapes.py); the figures are the summary's (by_commune, by_province with their census
keys, funding/territory.py), so the map, its table and the API agree. The page is cached whole
by the public page cache, per address: the map is computed once per figures version.

Scope: one province filtered (or the province of the communes filtered, or the only province
with projects, Khénifra when there is none) shows its communes, each a link to the dashboard
filtered on it; several provinces with projects and no province filter show the provinces, each
a link to its province.
"""

import re
from bisect import bisect_left
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from cooperatives.models import Commune, Province
from funding.charts import with_params
from indh_site.money import format_mad, format_mdh, format_number

PARAM = "map"
DEFAULT_MEASURE = "indh_per_inhabitant"
MEASURES = {
    "indh_per_inhabitant": gettext_lazy("INDH per inhabitant"),
    "total_cost": gettext_lazy("Total cost"),
    "projects": pgettext_lazy("map measure", "Projects"),
}
CLASSES = 5
# Room around the shapes, in path units (cooperatives.shapes: about 95 m each).
MARGIN = 10
_NUMBER = re.compile(r"-?\d+")
SHAPE_FIELDS = ("code", "svg_path", "population_2024", "unemployment_rate", "illiteracy_rate")


@dataclass
class Area:
    code: str
    label: str
    href: str
    path: str
    projects: int = 0
    total_cost: object = None
    indh_contribution: object = None
    population: int | None = None
    indh_per_inhabitant: object = None
    unemployment_rate: object = None
    illiteracy_rate: object = None
    value: object = None
    css: str = "map-none"
    title: str = ""


def measure_of(params):
    """The map's measure from the address; an unknown one falls back to the default (links fix it)."""
    value = params.get(PARAM, "")
    return value if value in MEASURES else DEFAULT_MEASURE


def bounds(paths):
    """(min x, min y, width, height) of path data written by cooperatives.shapes.path_data."""
    xs, ys = [], []
    for path in paths:
        for ring in path.split("M")[1:]:
            numbers = [int(n) for n in _NUMBER.findall(ring)]
            x, y = numbers[0], numbers[1]
            xs.append(x)
            ys.append(y)
            for dx, dy in zip(numbers[2::2], numbers[3::2], strict=False):
                x, y = x + dx, y + dy
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    left, top = min(xs) - MARGIN, min(ys) - MARGIN
    return (left, top, max(xs) + MARGIN - left, max(ys) + MARGIN - top)


def quantile_classes(values):
    """Class 1..CLASSES of each value by its rank among ``values`` (equal values share a class)."""
    ordered = sorted(values)
    count = len(ordered)
    classes = min(CLASSES, len(set(ordered)))
    return {value: 1 + bisect_left(ordered, value) * classes // count for value in set(ordered)}


def _label(lang, relation=""):
    return Coalesce(NullIf(F(f"{relation}name_{lang}"), Value("")), F(f"{relation}name_fr"))


def _scope(summary):
    """("communes", province code) or ("provinces", None) for this summary's filters."""
    filters = summary.get("filters", {})
    provinces = filters.get("province", [])
    if len(provinces) == 1:
        return "communes", provinces[0]
    if filters.get("commune") and not provinces:
        found = set(
            Commune.objects.filter(code__in=filters["commune"]).values_list("province__code", flat=True)
        )
        if len(found) == 1:
            return "communes", found.pop()
    with_projects = [row["code"] for row in summary.get("by_province", [])]
    if not provinces and len(with_projects) <= 1:
        return "communes", with_projects[0] if with_projects else settings.HOME_PROVINCES[0]
    return "provinces", None


def _value(area, measure):
    if not area.projects:
        return None
    return {
        "indh_per_inhabitant": area.indh_per_inhabitant,
        "total_cost": area.total_cost,
        "projects": area.projects,
    }[measure]


def _format(value, measure):
    if value is None:
        return ""
    if measure == "indh_per_inhabitant":
        return format_mad(value)
    if measure == "total_cost":
        return format_mdh(value)
    return format_number(value, 0)


def _percent(value):
    return "" if value is None else f"{format_number(value, 1)}\u00a0%"


def territory_map(summary, params, *, lang):
    """What _map.html draws: areas with their class and link, the legend, the measure links, the table."""
    measure = measure_of(params)
    scope, province_code = _scope(summary)
    if scope == "communes":
        rows = {row["code"]: row for row in summary.get("by_commune", [])}
        shapes = list(
            Commune.objects.filter(province__code=province_code).values(
                *SHAPE_FIELDS, name=_label(lang), province_name=_label(lang, "province__")
            )
        )
        province = shapes[0]["province_name"] if shapes else province_code
        title = _("The communes of %(province)s") % {"province": province}

        def href(code):
            return with_params(params, commune=code)

    else:
        rows = {row["code"]: row for row in summary.get("by_province", [])}
        shapes = Province.objects.values(*SHAPE_FIELDS, name=_label(lang))
        title = _("The provinces and prefectures")

        def href(code):
            return with_params(params, province=code, commune=None)

    areas = []
    for shape in shapes:
        row = rows.get(shape["code"], {})
        area = Area(
            code=shape["code"],
            label=shape["name"],
            href=href(shape["code"]),
            path=shape["svg_path"],
            projects=row.get("projects", 0),
            total_cost=row.get("total_cost"),
            indh_contribution=row.get("indh_contribution"),
            population=shape["population_2024"],
            indh_per_inhabitant=row.get("indh_per_inhabitant"),
            unemployment_rate=shape["unemployment_rate"],
            illiteracy_rate=shape["illiteracy_rate"],
        )
        area.value = _value(area, measure)
        areas.append(area)
    classes = quantile_classes([area.value for area in areas if area.value is not None])
    for area in areas:
        if area.value is not None:
            area.css = f"map-q{classes[area.value]}"
            area.title = f"{area.label} — {MEASURES[measure]}: {_format(area.value, measure)}"
        else:
            area.title = f"{area.label} — {_('no projects')}"
    legend = []
    for number in sorted(set(classes.values())):
        values = [value for value, klass in classes.items() if klass == number]
        low, high = _format(min(values), measure), _format(max(values), measure)
        legend.append({"css": f"map-q{number}", "label": low if low == high else f"{low} – {high}"})
    box = bounds([area.path for area in areas if area.path])
    # Ranked by INDH per inhabitant, most first; communes without projects last, by need.
    ranked = sorted(
        areas if scope == "communes" else [area for area in areas if area.projects],
        key=lambda area: (
            area.indh_per_inhabitant is None,
            -(area.indh_per_inhabitant or 0),
            -(area.unemployment_rate or 0),
            area.label,
        ),
    )
    return {
        "scope": scope,
        "title": title,
        "measure": measure,
        "measure_label": MEASURES[measure],
        "measure_links": [
            {
                "label": label,
                "href": with_params(params, **{PARAM: None if value == DEFAULT_MEASURE else value}),
                "current": value == measure,
            }
            for value, label in MEASURES.items()
        ],
        "view_box": " ".join(str(n) for n in box) if box else "",
        "areas": [area for area in areas if area.path],
        "legend": legend,
        "table": [
            {
                "code": area.code,
                "label": area.label,
                "href": area.href,
                "projects": format_number(area.projects, 0),
                "total_cost": format_mdh(area.total_cost) if area.projects else "",
                "indh_contribution": format_mdh(area.indh_contribution) if area.projects else "",
                "population": format_number(area.population, 0) if area.population else "",
                "indh_per_inhabitant": format_mad(area.indh_per_inhabitant) if area.projects else "",
                "unemployment_rate": _percent(area.unemployment_rate),
                "illiteracy_rate": _percent(area.illiteracy_rate),
            }
            for area in ranked
        ],
    }
