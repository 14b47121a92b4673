"""Money per inhabitant beside need (API) and the dashboard's map of the communes (issue 16)."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Commune
from funding.maps import quantile_classes
from funding.territory import per_inhabitant
from tests.factories import make_project

pytestmark = pytest.mark.django_db

MAX_PAGE_BYTES = 150 * 1024


def summary(client, **params):
    return client.get(reverse("api:summary"), params).json()


def dashboard(client, lang="fr", **params):
    with translation.override(lang):
        address = reverse("funding:dashboard")
    response = client.get(address, params)
    assert response.status_code == 200
    return response


def map_section(response):
    match = re.search(r'<section class="territory-map".*?</section>', response.content.decode(), re.S)
    assert match, "the dashboard shows no map"
    return match.group(0)


def shapes(fragment, attribute="data-commune"):
    """{code: (href, css classes, title)} of the map's linked shapes."""
    found = re.findall(
        rf'<a href="([^"]*)" {attribute}="([^"]*)" class="([^"]*)"><title>([^<]*)</title><path d="M', fragment
    )
    return {code: (html.unescape(href), css, html.unescape(title)) for href, code, css, title in found}


def test_per_inhabitant_is_decimal_to_the_cent_rounded_half_up():
    assert per_inhabitant(Decimal("1.00"), 8) == Decimal("0.13")  # 0.125: half up, not to even
    assert per_inhabitant(Decimal("15467.25"), 123738) == Decimal("0.13")
    assert per_inhabitant(Decimal("100.00"), 3) == Decimal("33.33")
    assert per_inhabitant(Decimal("100.00"), None) is None
    assert isinstance(per_inhabitant(Decimal("1"), 1), Decimal)


def test_the_summary_gives_population_and_need_beside_the_money(client):
    # 123,738 inhabitants (HCP 2024): 15,467.25 MAD is 0.125 MAD each, published as 0.13.
    make_project(indh_contribution=Decimal("15467.25"))
    make_project(commune=Commune.objects.get(code="midelt"), indh_contribution=Decimal("1000.00"))
    data = summary(client)
    khenifra = next(row for row in data["by_commune"] if row["code"] == "khenifra")
    assert khenifra["population"] == 123738
    assert khenifra["indh_per_inhabitant"] == "0.13"
    assert (khenifra["unemployment_rate"], khenifra["illiteracy_rate"]) == ("30.5", "25.7")
    provinces = {row["code"]: row for row in data["by_province"]}
    assert set(provinces) == {"KHN", "midelt"}
    assert provinces["KHN"]["population"] == 370240
    assert provinces["KHN"]["indh_contribution"] == "15467.25"
    assert provinces["KHN"]["indh_per_inhabitant"] == "0.04"  # 15,467.25 / 370,240 = 0.0418
    assert provinces["KHN"]["unemployment_rate"] == "27.7"
    sources = " ".join(credit["source"] for credit in data["meta"]["credits"])
    assert "Haut-Commissariat au Plan" in sources and "Maroc en carte" in sources


def test_the_summary_as_csv_carries_the_census_columns(client):
    make_project(indh_contribution=Decimal("15467.25"))
    content = client.get(reverse("api:summary"), {"format": "csv"}).content.decode("utf-8-sig")
    header, *lines = content.splitlines()
    assert header.endswith("population,indh_per_inhabitant,unemployment_rate,illiteracy_rate")
    assert any(line.startswith("by_commune,khenifra,") and "123738,0.13,30.5,25.7" in line for line in lines)


def test_quantile_classes_put_about_as_many_values_in_each_class():
    classes = quantile_classes([Decimal(n) for n in range(1, 11)])
    assert [classes[Decimal(n)] for n in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quantile_classes([Decimal(7), Decimal(7)]) == {Decimal(7): 1}


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_map_shows_each_of_khenifras_22_communes_as_a_link(client, language):
    make_project(commune=Commune.objects.get(code="mrirt"), indh_contribution=Decimal("46285.00"))
    make_project(commune=Commune.objects.get(code="khenifra"), indh_contribution=Decimal("12373.80"))
    response = dashboard(client, lang=language)
    fragment = map_section(response)
    found = shapes(fragment)
    assert set(found) == set(Commune.objects.filter(province__code="KHN").values_list("code", flat=True))
    assert len(found) == 22
    for code, (href, _css, title) in found.items():
        assert href == f"?commune={code}"
    # M'Rirt: 1 MAD per inhabitant, Khénifra 0.10: the richer class is the darker one.
    assert found["mrirt"][1] == "map-area map-q2" and found["khenifra"][1] == "map-area map-q1"
    assert found["el-borj"][1] == "map-area map-none"
    mrirt = Commune.objects.get(code="mrirt").label_in(language)
    assert found["mrirt"][2].startswith(mrirt)
    assert ("1,00 درهم" if language == "ar" else "1,00 MAD") in found["mrirt"][2]
    # The table beside the map: most money per inhabitant first, every commune listed.
    table_codes = re.findall(r'<tr data-code="([^"]*)"', fragment)
    assert table_codes[:2] == ["mrirt", "khenifra"] and len(table_codes) == 22
    assert 'class="map-legend"' in fragment
    if language == "ar":
        assert '<html lang="ar" dir="rtl"' in response.content.decode()
        assert "جماعات إقليم خنيفرة" in fragment
    else:
        assert "Les communes de Khénifra" in fragment
    assert len(response.content) < MAX_PAGE_BYTES


def test_the_map_measure_is_kept_in_the_links(client):
    make_project()
    fragment = map_section(dashboard(client, map="total_cost"))
    found = shapes(fragment)
    assert found["khenifra"][0] == "?map=total_cost&commune=khenifra"
    switch = re.findall(r'<a href="([^"]*)#map"( aria-current="true")?>', fragment)
    assert [(html.unescape(href), bool(current)) for href, current in switch] == [
        ("?", False),
        ("?map=total_cost", True),
        ("?map=projects", False),
    ]


def test_an_unknown_map_measure_falls_back_to_money_per_inhabitant(client):
    make_project()
    fragment = map_section(dashboard(client, map="<script>"))
    assert "<script>" not in fragment
    assert shapes(fragment)["khenifra"][1] == "map-area map-q1"


def test_with_projects_in_several_provinces_the_map_shows_the_provinces(client):
    make_project()
    make_project(commune=Commune.objects.get(code="midelt"))
    response = dashboard(client, lang="fr")
    found = shapes(map_section(response), attribute="data-province")
    assert len(found) == 75
    assert found["KHN"][0] == "?province=KHN"
    assert found["midelt"][1] != "map-area map-none" and found["azilal"][1] == "map-area map-none"
    assert len(response.content) < MAX_PAGE_BYTES
    # A province chosen: its communes.
    found = shapes(map_section(dashboard(client, province="midelt")))
    assert "midelt" in found and "khenifra" not in found


def test_a_commune_filter_shows_the_map_of_its_province(client):
    make_project()
    make_project(commune=Commune.objects.get(code="midelt"))
    found = shapes(map_section(dashboard(client, commune="khenifra")))
    assert len(found) == 22
    assert found["khenifra"][1] == "map-area map-q1" and found["mrirt"][1] == "map-area map-none"
