"""The language of a public page is in its address (/ar/, /fr/, /en/): a link keeps its language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_project

pytestmark = pytest.mark.django_db


def test_an_unprefixed_address_goes_to_the_browsers_language_and_is_kept_by_no_shared_cache(client):
    make_project()
    response = client.get("/holders/?sector=tourism", HTTP_ACCEPT_LANGUAGE="ar,fr;q=0.8")
    assert response.status_code == 302
    assert response["Location"] == "/ar/holders/?sector=tourism"
    vary = {name.strip() for name in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert "private" in response["Cache-Control"]

    client.cookies["django_language"] = "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ar")["Location"] == "/en/"


@pytest.mark.parametrize(
    "asked, target",
    [
        ("/?lang=ar", "/ar/"),
        ("/holders/?lang=fr&sector=x", "/fr/holders/?sector=x"),
        ("/ar/bilan/?year=2024&lang=en", "/en/bilan/?year=2024"),
        ("/en/bilan/xlsx/?lang=ar", "/ar/bilan/xlsx/"),
    ],
)
def test_an_old_lang_link_goes_to_the_page_in_that_language(client, asked, target):
    response = client.get(asked, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 301
    assert response["Location"] == target


def test_the_open_data_api_keeps_its_addresses_and_its_lang_parameter(client):
    make_project()
    for fmt in ("json", "csv", "xlsx"):
        response = client.get(f"/api/v1/projects?lang=ar&format={fmt}", HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, fmt
        assert response["Content-Language"] == "ar", fmt
    assert client.get("/api/v1/summary?lang=en&format=csv")["Content-Language"] == "en"
    assert client.get("/api/v1/summary?lang=ar&year=x")["Content-Language"] == "ar"  # the 400 too
    browser_language = client.get("/api/v1/summary", HTTP_ACCEPT_LANGUAGE="ar")
    assert browser_language["Content-Language"] == "ar"
    assert {"Accept", "Accept-Language", "Cookie"} <= {v.strip() for v in browser_language["Vary"].split(",")}
    assert client.get("/ar/api/v1/summary").status_code == 404


def test_each_page_says_its_language(client):
    holder = make_project().holder
    for lang in ("ar", "fr", "en"):
        with translation.override(lang):
            urls = [
                reverse("funding:dashboard"),
                reverse("cooperatives:holder-list"),
                reverse("cooperatives:holder-detail", args=[holder.pk]),
                reverse("review"),
            ]
        for url in urls:
            assert url.startswith(f"/{lang}/")
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr" if lang != "fr" else "ar")
            assert response.status_code == 200, url
            assert response["Content-Language"] == lang, url
            assert f'<html lang="{lang}"' in response.content.decode(), url


def test_the_admin_keeps_the_browsers_language_without_a_prefix(client):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="ar")
    assert reverse("admin:login") == "/admin/login/"
    assert response.status_code == 200
    assert 'lang="ar"' in response.content.decode()
    assert client.get("/ar/admin/login/").status_code == 404


def test_the_page_lists_itself_in_every_language(client):
    make_project()
    content = client.get("/fr/holders/?sector=tourism").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', content))
    assert alternates == {
        "ar": "http://testserver/ar/holders/?sector=tourism",
        "fr": "http://testserver/fr/holders/?sector=tourism",
        "en": "http://testserver/en/holders/?sector=tourism",
        "x-default": "http://testserver/holders/?sector=tourism",
    }


def test_links_and_remove_all_filters_keep_the_language(client):
    project = make_project(year=2024)
    content = client.get("/ar/?year=2024").content.decode()
    assert '<a class="reset" href="/ar/">' in content
    assert 'href="/ar/holders/"' in content and 'href="/ar/bilan/"' in content
    listing = client.get("/ar/holders/?sector=x").content.decode()
    assert f'href="/ar/holders/{project.holder_id}/"' in client.get("/ar/holders/").content.decode()
    assert re.search(r'<a href="/ar/holders/">[^<]+</a>', listing)
