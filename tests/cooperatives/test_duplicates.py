"""Probable duplicate holders (issue 18): one detection for the command, the admin page and the
data-quality page."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from cooperatives.duplicates import SAME_NAME, SAME_REGISTRATION, duplicate_groups, duplicate_key
from cooperatives.models import Commune, Holder, HolderAlias, HolderType
from tests.access import VALIDATOR, khenifra, make_staff, midelt, midelt_commune
from tests.factories import make_holder

pytestmark = pytest.mark.django_db


def groups_of(queryset=None):
    return [
        (sorted(holder.name for holder in group.holders), group.reasons)
        for group in duplicate_groups(queryset if queryset is not None else Holder.objects.all())
    ]


def test_the_compared_name_sets_aside_case_accents_punctuation_legal_form_and_arabic_variants():
    assert duplicate_key("Coopérative Al Amal") == duplicate_key("COOP. AL-AMAL") == "al amal"
    assert duplicate_key("Association  Tifaout") == duplicate_key("ASSOC. TIFAOUT") == "tifaout"
    assert (
        duplicate_key("تعاونية الأمل")
        == duplicate_key("تعاونيه الامل")
        == duplicate_key("التعاونية الأمـــل")
    )
    assert duplicate_key("تَعَاوُنِيَّة الأَمَل") == "الامل"  # short vowels and shadda dropped
    assert duplicate_key("جمعية إيمان") == duplicate_key("جمعيه ايمان")
    assert duplicate_key("مستشفى") == duplicate_key("مستشفي")
    assert duplicate_key("Coopérative") == ""  # only a legal form: compared with nothing


def test_two_spellings_of_one_cooperative_are_one_group_with_their_reason():
    lehri = Commune.objects.get(code="lehri")
    make_holder(name="Coopérative Al Amal")
    make_holder(name="COOP. AL-AMAL", commune=lehri)  # another commune of the same province
    make_holder(name="تعاونية الأمل")
    make_holder(name="تعاونيه الامل", commune=lehri)
    # Not duplicates: another province, another type, another name, nothing left but the legal form.
    make_holder(name="Coopérative Al Amal", commune=midelt_commune())
    make_holder(name="Association Al Amal", holder_type=HolderType.ASSOCIATION)
    make_holder(name="Coopérative Al Amal Tighza")
    make_holder(name="Coopérative")
    make_holder(name="Coop.")
    assert groups_of() == [
        (["COOP. AL-AMAL", "Coopérative Al Amal"], [SAME_NAME]),
        (["تعاونية الأمل", "تعاونيه الامل"], [SAME_NAME]),
    ]


def test_registration_numbers_written_differently_make_a_group():
    make_holder(name="Coopérative Tighza", registration_number="00457")
    make_holder(name="Coopérative Aguelmame", registration_number="457")
    make_holder(name="Coopérative Aguelmame Sidi Ali", registration_number="2015/12")
    make_holder(name="Aguelmame Sidi Ali", registration_number="2015-12")
    make_holder(name="Coopérative Ajdir", registration_number="458")
    assert sorted(groups_of()) == [
        (["Aguelmame Sidi Ali", "Coopérative Aguelmame Sidi Ali"], [SAME_REGISTRATION, SAME_NAME]),
        (["Coopérative Aguelmame", "Coopérative Tighza"], [SAME_REGISTRATION]),
    ]


def test_holders_linked_through_a_third_are_one_group():
    make_holder(name="Coopérative Amal", registration_number="12")
    make_holder(name="COOP AMAL")
    make_holder(name="Coopérative Nour", registration_number="0012")
    [(names, reasons)] = groups_of()
    assert names == ["COOP AMAL", "Coopérative Amal", "Coopérative Nour"]
    assert reasons == [SAME_REGISTRATION, SAME_NAME]


def test_the_command_prints_the_groups_and_exits_0():
    make_holder(name="Coopérative Al Amal")
    make_holder(name="COOP. AL-AMAL")
    make_holder(name="Coopérative Al Amal", commune=midelt_commune())
    make_holder(name="Coop Al Amal", commune=midelt_commune())
    out = io.StringIO()
    translation.activate("en")
    call_command("find_duplicate_holders", stdout=out)  # raises (exit 1) on failure
    text = out.getvalue()
    assert "COOP. AL-AMAL" in text and "Coop Al Amal" in text
    assert "2 groups of probable duplicates." in text
    out = io.StringIO()
    call_command("find_duplicate_holders", "--province", midelt().code, stdout=out)
    text = out.getvalue()
    assert "Coop Al Amal" in text and "COOP. AL-AMAL" not in text
    assert "1 group of probable duplicates." in text
    with pytest.raises(CommandError):
        call_command("find_duplicate_holders", "--province", "NOPE", stdout=io.StringIO())


def test_the_admin_page_and_the_data_quality_page_list_the_same_groups(client):
    a = make_holder(name="Coopérative Al Amal")
    b = make_holder(name="COOP. AL-AMAL")
    make_holder(name="Coopérative Al Amal", commune=midelt_commune())
    make_holder(name="Coop Al Amal", commune=midelt_commune())
    client.force_login(make_staff("validator", khenifra(), role=VALIDATOR))
    page = client.get(reverse("admin:cooperatives_holder_duplicates"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    listed = [[holder.pk for holder in group.holders] for group, _links in page.context["groups"]]
    assert listed == [[a.pk, b.pk]]  # Midelt's pair is not this account's
    assert "same name once case, accents, punctuation and legal form are set aside" in page.content.decode()
    quality = client.get(reverse("admin:funding_project_data_quality"))
    [section] = [s for s in quality.context["sections"] if s["key"] == "duplicates"]
    assert [[holder.pk for holder, _url in group] for group in section["groups"]] == listed
    assert reverse("admin:cooperatives_holder_duplicates") in quality.content.decode()


def test_the_page_speaks_arabic(client):
    make_holder(name="تعاونية الأمل")
    make_holder(name="تعاونيه الامل")
    client.force_login(make_staff("validator", khenifra(), midelt(), role=VALIDATOR))
    page = client.get(reverse("admin:cooperatives_holder_duplicates"), HTTP_ACCEPT_LANGUAGE="ar")
    content = page.content.decode()
    assert 'dir="rtl"' in content
    assert "الاسم نفسه" in content and "دمج" in content


def test_the_page_filters_by_one_of_the_accounts_provinces(client):
    make_holder(name="Coopérative Al Amal")
    make_holder(name="COOP. AL-AMAL")
    make_holder(name="Coopérative Al Amal", commune=midelt_commune())
    make_holder(name="Coop Al Amal", commune=midelt_commune())
    client.force_login(make_staff("validator", khenifra(), midelt(), role=VALIDATOR))
    page = reverse("admin:cooperatives_holder_duplicates")
    assert len(client.get(page).context["groups"]) == 2
    only = client.get(page, {"province": midelt().pk})
    assert [group.province for group, _links in only.context["groups"]] == [midelt()]
    # Not a province of the account, or not a province at all: a form error, every group still listed.
    for wrong in ("999999", "abc"):
        response = client.get(page, {"province": wrong}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and len(response.context["groups"]) == 2
        assert "Select a valid choice" in response.content.decode()
    assert client.get(page, {"province": "1\x00"}).status_code == 400


def test_the_kept_holder_shows_its_other_spellings(client, staff_user):
    holder = make_holder(name="Coopérative Al Amal")
    HolderAlias.objects.create(holder=holder, name="COOP. AL-AMAL")
    client.force_login(staff_user)
    content = client.get(reverse("admin:cooperatives_holder_change", args=[holder.pk])).content.decode()
    assert "COOP. AL-AMAL" in content


def test_the_holders_list_leads_to_the_duplicates_page(staff_client):
    content = staff_client.get(reverse("admin:cooperatives_holder_changelist")).content.decode()
    assert reverse("admin:cooperatives_holder_duplicates") in content
    assert reverse("admin:cooperatives_holder_import") in content
