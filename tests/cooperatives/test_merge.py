"""Merging duplicate holders (issue 18): a validator of the province merges a group from the admin's
duplicates page; projects move, the absorbed names stay as aliases that later imports match."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Commune, Holder, HolderAlias, HolderType
from funding import services as import_services
from funding.models import Project
from tests.access import ANALYST, DATA_ENTRY_OFFICER, VALIDATOR, khenifra, make_staff, midelt, midelt_commune
from tests.factories import make_holder, make_project
from tests.funding.workbooks import project_row, xlsx

pytestmark = pytest.mark.django_db
MERGE = reverse("admin:cooperatives_holder_merge")
PAGE = reverse("admin:cooperatives_holder_duplicates")


@pytest.fixture
def amal():
    """Two spellings of one cooperative of Khénifra, each with a project."""
    keep = make_holder(name="Coopérative Al Amal", registration_number=None)
    other = make_holder(
        name="COOP. AL-AMAL",
        commune=Commune.objects.get(code="lehri"),
        registration_number="00457",
        phone="0612",
    )
    return {
        "keep": keep,
        "other": other,
        "keep_project": make_project(holder=keep),
        "moved": [make_project(holder=other), make_project(holder=other)],
    }


def login(client, *provinces, role=VALIDATOR, name="validator"):
    user = make_staff(name, *provinces, role=role)
    client.force_login(user)
    return user


def merge(client, keep, *absorbed):
    data = {"keep": keep.pk, "absorb": [holder.pk for holder in absorbed]}
    return client.post(MERGE, data, HTTP_ACCEPT_LANGUAGE="en")


def test_the_validator_group_may_merge_holders():
    assert Group.objects.get(name=VALIDATOR).permissions.filter(codename="merge_holder").exists()
    assert not Group.objects.get(name=DATA_ENTRY_OFFICER).permissions.filter(codename="merge_holder").exists()
    assert not Group.objects.get(name=ANALYST).permissions.filter(codename="merge_holder").exists()


def test_a_merge_moves_the_projects_deletes_the_absorbed_holder_and_keeps_its_name(client, amal):
    user = login(client, khenifra())
    keep, other = amal["keep"], amal["other"]
    page = client.get(PAGE)
    assert f'value="{other.pk}"' in page.content.decode()
    response = merge(client, keep, other)
    assert response.status_code == 302 and response.url == PAGE
    assert not Holder.objects.filter(pk=other.pk).exists()
    assert set(Project.objects.filter(holder=keep)) == {amal["keep_project"], *amal["moved"]}
    assert list(keep.aliases.values_list("name", flat=True)) == ["COOP. AL-AMAL"]
    keep.refresh_from_db()
    # What the holder that stays lacked is taken from the absorbed one.
    assert keep.registration_number == "00457" and keep.phone == "0612"
    assert keep.name == "Coopérative Al Amal"

    # The history says who merged what.
    kept_record = keep.history.order_by("-history_date", "-history_id").first()
    assert kept_record.history_user == user
    assert "COOP. AL-AMAL" in kept_record.history_change_reason
    deleted = Holder.history.filter(id=other.pk, history_type="-").get()
    assert deleted.history_user == user and "Coopérative Al Amal" in deleted.history_change_reason
    for project in amal["moved"]:
        record = project.history.order_by("-history_date", "-history_id").first()
        assert record.holder_id == keep.pk and record.history_user == user
        assert record.history_change_reason == "merged from holder COOP. AL-AMAL"
    follow = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 holder merged into" in follow.content.decode()
    assert list(follow.context["groups"]) == []


def test_a_later_import_row_with_the_absorbed_spelling_matches_the_kept_holder(client, amal):
    login(client, khenifra())
    merge(client, amal["keep"], amal["other"])
    holders = Holder.objects.count()
    with translation.override("fr"):
        result = import_services.import_workbook(
            file=xlsx(
                [
                    project_row("ALIAS-1", **{"Porteur du projet": "COOP. AL-AMAL", "Commune": "Lehri"}),
                    project_row("ALIAS-2", **{"Porteur du projet": "coop al amal", "Commune": "Khénifra"}),
                ]
            ),
            file_name="bilan.xlsx",
        )
    assert result.ok, result.errors
    assert Holder.objects.count() == holders
    assert {p.holder for p in Project.objects.filter(code__in=["ALIAS-1", "ALIAS-2"])} == {amal["keep"]}
    amal["keep"].refresh_from_db()
    assert amal["keep"].name == "Coopérative Al Amal"


def test_an_alias_is_not_matched_in_another_province_or_for_another_type(amal, client):
    login(client, khenifra())
    merge(client, amal["keep"], amal["other"])
    midelt_commune()
    holders = Holder.objects.count()
    with translation.override("fr"):
        result = import_services.import_workbook(
            file=xlsx(
                [
                    project_row("ALIAS-3", **{"Porteur du projet": "COOP. AL-AMAL", "Commune": "Midelt"}),
                    project_row(
                        "ALIAS-4", **{"Porteur du projet": "Al Amal", "Type de porteur": "Association"}
                    ),
                ]
            ),
            file_name="bilan.xlsx",
        )
    assert result.ok, result.errors
    assert Holder.objects.count() == holders + 2


def test_an_officer_of_another_province_neither_sees_nor_merges_the_group(client, amal):
    login(client, midelt(), name="validator-midelt")
    assert list(client.get(PAGE).context["groups"]) == []
    assert merge(client, amal["keep"], amal["other"]).status_code == 404
    assert Holder.objects.filter(pk=amal["other"].pk).exists()


def test_a_group_reaching_outside_the_accounts_provinces_is_not_found(client, amal):
    stranger = make_holder(name="Coopérative Al Amal", commune=midelt_commune())
    login(client, khenifra())
    assert merge(client, amal["keep"], amal["other"], stranger).status_code == 404
    assert Holder.objects.filter(pk__in=[amal["other"].pk, stranger.pk]).count() == 2


@pytest.mark.parametrize("role", [ANALYST, DATA_ENTRY_OFFICER])
def test_an_account_without_the_merge_permission_is_refused(client, amal, role):
    login(client, khenifra(), role=role, name="someone")
    page = client.get(PAGE)
    assert page.status_code == 200 and 'name="keep"' not in page.content.decode()
    assert merge(client, amal["keep"], amal["other"]).status_code == 403
    assert Holder.objects.filter(pk=amal["other"].pk).exists()


def test_holders_of_different_provinces_or_types_are_not_merged(client, staff_user):
    client.force_login(staff_user)
    keep = make_holder(name="Coopérative Al Amal")
    elsewhere = make_holder(name="Coopérative Al Amal", commune=midelt_commune())
    association = make_holder(name="Association Al Amal", holder_type=HolderType.ASSOCIATION)
    for other in (elsewhere, association):
        response = client.post(
            MERGE, {"keep": keep.pk, "absorb": [other.pk]}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert (
            "Only holders of the same province and the same type can be merged." in response.content.decode()
        )
        assert Holder.objects.filter(pk=other.pk).exists()
    assert not HolderAlias.objects.exists()


@pytest.mark.parametrize("data", [{}, {"keep": "x", "absorb": ["1"]}, {"keep": "1"}, {"keep": "1\x00"}])
def test_a_malformed_merge_request_changes_nothing_and_says_why(client, staff_user, data):
    client.force_login(staff_user)
    response = client.post(MERGE, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Choose the holder that stays and at least one other." in response.content.decode()


def test_the_merge_page_only_answers_post(client, staff_user):
    client.force_login(staff_user)
    assert client.get(MERGE).status_code == 405
