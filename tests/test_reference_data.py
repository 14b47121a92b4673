"""After `migrate`, a fresh database already knows the reference data of the spec."""

import pytest

from cooperatives.models import Commune, Province, Region, Sector
from funding.models import Partner, Programme

pytestmark = pytest.mark.django_db


def test_khenifra_and_its_22_communes_are_loaded():
    province = Province.objects.get(code="KHN")
    assert province.region == Region.objects.get(code="BMK")
    assert province.name_ar == "إقليم خنيفرة"
    communes = Commune.objects.filter(province=province)
    assert communes.count() == 22
    assert communes.filter(kind=Commune.Kind.MUNICIPALITY).count() == 2
    assert communes.get(code="sidi-hcine").name_ar == "سيدي احساين"


def test_thirteen_sectors_in_the_spec_order():
    codes = list(Sector.objects.values_list("code", flat=True))
    assert codes[:3] == ["agriculture", "handicrafts", "tourism"]
    assert len(codes) == 13 and codes[-1] == "other"
    assert Sector.objects.get(code="handicrafts").name_ar == "الصناعة التقليدية"


def test_programmes_p1_to_p4():
    assert list(Programme.objects.values_list("code", flat=True)) == ["P1", "P2", "P3", "P4"]
    assert Programme.objects.get(code="P3").name_fr.startswith("Amélioration du revenu")


def test_partners_are_loaded():
    assert Partner.objects.filter(code__in=["provincial-council", "odco"]).count() == 2


def test_labels_follow_the_active_language():
    from django.utils import translation

    sector = Sector.objects.get(code="tourism")
    with translation.override("ar"):
        assert sector.label == "السياحة"
    with translation.override("fr"):
        assert sector.label == "Tourisme"
    with translation.override("en"):
        assert sector.label == "Tourism"
