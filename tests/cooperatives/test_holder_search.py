"""The directory's search finds what a reader types: any case, with or without accents, any
spelling of the Arabic letters that vary, by holder name, commune or project title."""

import html
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from cooperatives.filters import search_holders
from cooperatives.models import Commune
from cooperatives.search import fold
from cooperatives.views import supported_holders
from funding.models import ProjectStatus
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db


def list_url(language=None):
    with translation.override(language):
        return reverse("cooperatives:holder-list")


def listed_names(response):
    assert response.status_code == 200
    return sorted(
        html.unescape(name)
        for name in re.findall(
            r'<th scope="row"><a href="[^"]+" dir="auto">(.*?)</a></th>', response.content.decode()
        )
    )


def search(client, words, **params):
    return listed_names(client.get(list_url(), {"q": words, **params}))


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Coopérative", "cooperative"),
        ("COOPÉRATIVE", "cooperative"),
        ("Aït-Ishaq", "ait ishaq"),
        ("M’Rirt", "mrirt"),
        ("أكلمام أزكزا", "اكلمام ازكزا"),
        ("إسحاق", "اسحاق"),
        ("آيت", "ايت"),
        ("تعاونية", "تعاونيه"),
        ("مولى", "مولي"),
        ("الأَمَل", "الامل"),
        ("تـعـاونـيـة", "تعاونيه"),
    ],
)
def test_the_python_fold_drops_case_accents_and_letter_variants(text, folded):
    assert fold(text) == folded


def test_a_search_is_blind_to_case_and_accents(client):
    for n in range(3):
        make_project(holder=make_holder(name=f"Coopérative Ajdir {n}"))
    make_project(holder=make_holder(name="Association Tazizaout"))
    expected = ["Coopérative Ajdir 0", "Coopérative Ajdir 1", "Coopérative Ajdir 2"]
    for words in ("cooperative", "COOPERATIVE", "Coopérative", "coopÉrative", "  cooperative ajdir "):
        assert search(client, words) == expected


def test_accents_typed_where_the_name_has_none_still_find_it(client):
    make_project(holder=make_holder(name="Cooperative Tighza"))
    assert search(client, "Coopérative") == ["Cooperative Tighza"]


def test_arabic_letter_variants_find_each_other(client):
    make_project(holder=make_holder(name="تعاونية الأمل للزيتون"))
    make_project(holder=make_holder(name="جمعية إسحاق"))
    make_project(holder=make_holder(name="تعاونية مولى"))
    assert search(client, "الامل") == ["تعاونية الأمل للزيتون"]
    assert search(client, "تعاونيه الامل") == ["تعاونية الأمل للزيتون"]
    assert search(client, "الأَمَل") == ["تعاونية الأمل للزيتون"]
    assert search(client, "اسحاق") == ["جمعية إسحاق"]
    assert search(client, "مولي") == ["تعاونية مولى"]
    assert search(client, "تعاونية") == ["تعاونية الأمل للزيتون", "تعاونية مولى"]


def test_a_commune_name_in_arabic_or_french_finds_its_holders(client):
    mrirt = Commune.objects.get(code="mrirt")
    ait_ishaq = Commune.objects.get(code="ait-ishaq")
    make_project(holder=make_holder(name="Coopérative Azrou", commune=mrirt))
    make_project(holder=make_holder(name="Coopérative Tiguert", commune=ait_ishaq))
    make_project(holder=make_holder(name="Coopérative Khénifra"))
    assert search(client, "mrirt") == ["Coopérative Azrou"]
    assert search(client, "مريرت") == ["Coopérative Azrou"]
    assert search(client, "ait ishaq") == ["Coopérative Tiguert"]
    assert search(client, "ايت اسحاق") == ["Coopérative Tiguert"]


def test_a_project_title_finds_its_holder_unless_the_project_is_cancelled(client):
    make_project(holder=make_holder(name="Coopérative A"), title="Unité de valorisation du miel")
    make_project(holder=make_holder(name="Coopérative B"), title="وحدة تثمين العسل")
    supported = make_holder(name="Coopérative C")
    make_project(holder=supported, title="Atelier de tissage")
    make_project(holder=supported, title="Élevage caprin", status=ProjectStatus.CANCELLED)
    assert search(client, "valorisation du miel") == ["Coopérative A"]
    assert search(client, "VALORISATION") == ["Coopérative A"]
    assert search(client, "العسل") == ["Coopérative B"]
    assert search(client, "tissage") == ["Coopérative C"]
    assert search(client, "elevage caprin") == []


def test_search_combines_with_the_other_filters(client):
    mrirt = Commune.objects.get(code="mrirt")
    make_project(holder=make_holder(name="Coopérative Azrou", commune=mrirt))
    make_project(holder=make_holder(name="Coopérative Ajdir"))
    assert search(client, "cooperative", commune="mrirt") == ["Coopérative Azrou"]


def test_an_empty_result_names_the_words_and_offers_a_way_back(client):
    make_project(holder=make_holder(name="Coopérative Ajdir"))
    for language, sentence in (
        ("fr", "Aucun porteur ne correspond à «\u00a0<bdi>zzz</bdi>\u00a0»."),
        ("ar", "لا يوجد حامل مشروع يطابق «<bdi>zzz</bdi>»."),
        ("en", "No holder matches «<bdi>zzz</bdi>»."),
    ):
        response = client.get(list_url(language), {"q": "zzz", "commune": "khenifra"})
        content = response.content.decode()
        assert response.status_code == 200
        assert sentence in content, language
        clear = html.unescape(
            re.search(r'<div class="empty"[^>]*>.*?<a href="([^"]+)"', content, re.S).group(1)
        )
        assert "q=" not in clear and "commune=khenifra" in clear
        assert listed_names(client.get(clear)) == ["Coopérative Ajdir"]


def test_filters_that_match_nothing_say_so(client):
    make_project(holder=make_holder(name="Coopérative Ajdir"))
    content = client.get(list_url("en"), {"commune": "mrirt"}).content.decode()
    assert "No holder matches this search." in content


@pytest.mark.parametrize("words", ["%", "_", "100%", "a_b", "\\", "'; DROP TABLE x; --", "<b>x</b>"])
def test_wildcards_and_quotes_are_searched_as_text(client, words):
    make_project(holder=make_holder(name="Coopérative Ajdir"))
    make_project(holder=make_holder(name="Taux 100% bio a_b \\ <b>x</b>"))
    found = search(client, words)
    assert "Coopérative Ajdir" not in found
    assert found == ["Taux 100% bio a_b \\ <b>x</b>"] or words.startswith("'")


def test_hostile_words_are_shown_as_text_in_the_empty_message(client):
    content = client.get(list_url(), {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_a_nul_byte_is_a_clear_form_error(client):
    make_project(holder=make_holder(name="Coopérative Ajdir"))
    response = client.get(list_url("en"), {"q": "coop\x00erative"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
def test_on_postgresql_the_words_are_folded_once_and_titles_read_through_their_trigram_index():
    with connection.cursor() as cursor:
        # A few rows make a sequential scan cheaper; the planner is told to avoid it, as it
        # does by itself on a million projects.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search_holders(supported_holders(), "Valorisation").explain()
    # The folded words are a constant when the query is planned, which an index can serve.
    assert "'%valorisation%'::text" in plan
    assert "fund_proj_title_fold_trgm_idx" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indh_fold")
def test_postgresql_folds_like_python():
    texts = ["Coopérative AÏT-Ishaq", "M’Rirt", "Œuvre d'art", "الأَمَل تعاونية مولى إسحاق آيت", "تـعـاونـيـة"]
    with connection.cursor() as cursor:
        for text in texts:
            cursor.execute("SELECT indh_fold(%s)", [text])
            assert cursor.fetchone()[0] == fold(text), text
