"""The public directory of supported holders, and each holder's page."""

import html
import re
from decimal import Decimal

import pytest
from django.utils import translation

from cooperatives.models import Commune, HolderType, Sector
from funding.models import ProjectStatus
from indh_site.money import format_mad, format_mdh
from tests.factories import data_queries, make_holder, make_project

pytestmark = pytest.mark.django_db

LIST = "/fr/holders/"
PRIVATE = {
    "phone": "+212 661 23 45 67",
    "email": "tresoriere.privee@example.ma",
    "private_notes": "Dossier en contentieux, ne pas publier",
    "registration_number": "KHN-2020-0099",
}


def listed_names(response):
    return [
        html.unescape(name)
        for name in re.findall(
            r'<th scope="row"><a href="/\w\w/holders/\d+/" dir="auto">(.*?)</a></th>',
            response.content.decode(),
        )
    ]


def test_the_directory_lists_holders_with_a_project_only(client):
    supported = make_project(holder=make_holder(name="Coopérative Ajdir")).holder
    make_holder(name="Coopérative sans projet")
    make_project(holder=make_holder(name="Association au projet annulé"), status=ProjectStatus.CANCELLED)

    response = client.get(LIST)
    assert response.status_code == 200
    assert listed_names(response) == [supported.name]
    assert client.get(f"/fr/holders/{supported.pk}/").status_code == 200


def test_a_holder_without_support_has_no_public_page(client):
    alone = make_holder()
    cancelled = make_project(status=ProjectStatus.CANCELLED).holder
    assert client.get(f"/fr/holders/{alone.pk}/").status_code == 404
    assert client.get(f"/fr/holders/{cancelled.pk}/").status_code == 404


def test_search_by_part_of_the_name_in_any_script(client):
    for name in ("تعاونية الأمل للزيتون", "Coopérative Tanfite Tissage", "Association Tazizaout"):
        make_project(holder=make_holder(name=name))
    assert listed_names(client.get(LIST, {"q": "الأمل"})) == ["تعاونية الأمل للزيتون"]
    assert listed_names(client.get(LIST, {"q": "tanfite"})) == ["Coopérative Tanfite Tissage"]
    assert listed_names(client.get(LIST, {"q": "  "})) == [
        "Association Tazizaout",
        "Coopérative Tanfite Tissage",
        "تعاونية الأمل للزيتون",
    ]


def test_filters_combine(client):
    mrirt = Commune.objects.get(code="mrirt")
    tourism = Sector.objects.get(code="tourism")
    make_project(holder=make_holder(name="A", commune=mrirt, main_sector=tourism))
    make_project(holder=make_holder(name="B", commune=mrirt, holder_type=HolderType.ASSOCIATION))
    make_project(holder=make_holder(name="C", main_sector=tourism))
    make_project(holder=make_holder(name="D", commune=mrirt))

    response = client.get(LIST, {"commune": "mrirt", "holder_type": "cooperative"})
    assert listed_names(response) == ["A", "D"]
    assert listed_names(client.get(LIST, {"commune": "mrirt", "sector": "tourism"})) == ["A"]
    assert listed_names(
        client.get(LIST + "?holder_type=association&holder_type=cooperative&commune=mrirt")
    ) == [
        "A",
        "B",
        "D",
    ]
    assert listed_names(client.get(LIST, {"province": "KHN", "q": "c"})) == ["C"]


@pytest.mark.parametrize(
    "query, label",
    [("holder_type=company", "Holder type"), ("commune=atlantis", "Commune"), ("sector=x", "Sector")],
)
def test_a_bad_filter_value_is_a_form_error(client, query, label):
    make_project()
    response = client.get(f"/en/holders/?{query}")
    assert response.status_code == 400
    content = response.content.decode()
    assert f"<strong>{label}</strong>" in content
    assert "<table" not in content


def test_the_holder_page_shows_its_public_facts_and_projects(client):
    holder = make_holder(
        name="Coopérative Aguelmam Tissage",
        commune=Commune.objects.get(code="aguelmam-azegza"),
        main_sector=Sector.objects.get(code="handicrafts"),
    )
    first = make_project(holder=holder, year=2021, total_cost=Decimal("250000.00"), title="Métiers à tisser")
    second = make_project(
        holder=holder, year=2024, total_cost=Decimal("180000.50"), title="Atelier de teinture"
    )

    for language in ("ar", "fr", "en"):
        content = client.get(f"/{language}/holders/{holder.pk}/").content.decode()
        with translation.override(language):
            expected = [
                holder.commune.label,
                holder.main_sector.label,
                str(HolderType.COOPERATIVE.label),
                format_mad(first.total_cost),
                format_mad(second.total_cost),
                format_mdh(first.total_cost + second.total_cost),  # the holder's total
            ]
            assert "<dd>2</dd>" in content  # projects
        for text in expected + [holder.name, first.code, second.code, first.title, "2021", "2024"]:
            assert html.escape(text) in content, (language, text)
        # Oldest project first.
        assert content.index(first.code) < content.index(second.code)


def test_private_fields_never_appear_in_the_directory(client):
    holder = make_holder(name="Coopérative Tighza", **PRIVATE)
    make_project(holder=holder, private_notes="Rapport d'inspection interne")
    pages = [
        client.get(LIST).content.decode(),
        client.get(LIST, {"q": "Tighza"}).content.decode(),
        client.get(f"/fr/holders/{holder.pk}/").content.decode(),
    ]
    assert all("Coopérative Tighza" in page for page in pages)
    for page in pages:
        for secret in [
            *PRIVATE.values(),
            "Rapport d'inspection interne",
            html.escape("Rapport d'inspection interne"),
        ]:
            assert secret not in page


def test_searching_cannot_probe_private_fields(client):
    holder = make_holder(name="Coopérative Tighza", **PRIVATE)
    make_project(holder=holder)
    for probe in ("661 23", "tresoriere", "contentieux", "KHN-2020-0099"):
        assert listed_names(client.get(LIST, {"q": probe})) == []


def test_hostile_names_stay_inert(client):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    holder = make_holder(name=hostile)
    make_project(holder=holder, title=hostile)
    for url in (LIST, f"/fr/holders/{holder.pk}/"):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content
        assert html.escape(hostile) in content


def test_long_lists_are_paginated(client):
    for n in range(53):
        make_project(holder=make_holder(name=f"Coopérative {n:02d}"))
    first = client.get(LIST, {"holder_type": "cooperative"})
    assert len(listed_names(first)) == 50
    next_link = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', first.content.decode()).group(1))
    assert "holder_type=cooperative" in next_link and "page=2" in next_link
    assert listed_names(client.get(LIST + next_link)) == [
        "Coopérative 50",
        "Coopérative 51",
        "Coopérative 52",
    ]


def test_the_directory_reads_in_each_language(client):
    make_project(holder=make_holder(commune=Commune.objects.get(code="mrirt")))
    arabic = client.get("/ar/holders/").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "مريرت" in arabic
    french = client.get("/fr/holders/").content.decode()
    assert '<html lang="fr" dir="ltr">' in french and "M&#x27;Rirt" in french


def listed_count(response):
    return int(re.search(r'<p class="count">(\d+)', response.content.decode()).group(1))


def test_the_count_and_pages_cover_every_supported_holder_once(client):
    for n in range(53):
        holder = make_holder(name=f"Coopérative {n:02d}")
        make_project(holder=holder)
        make_project(holder=holder)  # two projects: still one holder
    make_project(holder=make_holder(name="Coopérative annulée"), status=ProjectStatus.CANCELLED)

    first = client.get("/en/holders/")
    second = client.get("/en/holders/", {"page": 2})
    assert listed_count(first) == listed_count(second) == 53
    assert listed_names(first) + listed_names(second) == [f"Coopérative {n:02d}" for n in range(53)]
    # Filtered, the same holders are counted by the filter itself.
    assert listed_count(client.get("/en/holders/", {"holder_type": "cooperative"})) == 53


def test_a_page_costs_the_same_queries_however_many_holders_it_shows(client):
    def queries_for_page():
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(data_queries(queries))

    for n in range(3):
        make_project(holder=make_holder(name=f"Coopérative {n:02d}"))
    few = queries_for_page()
    for n in range(3, 50):
        make_project(holder=make_holder(name=f"Coopérative {n:02d}"))
    assert queries_for_page() == few
