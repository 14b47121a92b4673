"""A commune name the kingdom gives twice stands for the installation's own (HOME_PROVINCES)."""

import pytest
from django.test import override_settings
from django.utils import translation

from cooperatives.models import Commune
from funding import workbook
from funding.importers import References

pytestmark = pytest.mark.django_db


def shared_arabic_name():
    """An Arabic name Khénifra's Sidi Hcine shares with a commune of another province (HCP's 2024 list)."""
    sidi_hcine = Commune.objects.get(code="sidi-hcine")
    others = Commune.objects.filter(name_ar=sidi_hcine.name_ar).exclude(pk=sidi_hcine.pk)
    assert others.exists(), "the census lists another commune of this Arabic name"
    return sidi_hcine


def test_a_shared_commune_name_is_the_home_provinces_commune():
    sidi_hcine = shared_arabic_name()
    assert References().communes.find(sidi_hcine.name_ar) == sidi_hcine.pk


@override_settings(HOME_PROVINCES=["midelt"])
def test_elsewhere_the_shared_name_asks_for_the_code():
    sidi_hcine = shared_arabic_name()
    with translation.override("en"), pytest.raises(workbook.CellError, match="write the code instead"):
        References().communes.find(sidi_hcine.name_ar)


def test_an_unknown_commune_lists_the_home_communes_not_the_kingdom():
    with pytest.raises(workbook.CellError) as error:
        References().communes.find("Atlantis")
    assert "M'Rirt" in str(error.value) and "Khénifra" in str(error.value)
    assert "Casablanca" not in str(error.value) and "Alnif" not in str(error.value)
    with pytest.raises(workbook.CellError) as error:
        References().communes.find("Mrirtt")
    assert "M'Rirt" in str(error.value) and "Ait Hani" not in str(error.value)
