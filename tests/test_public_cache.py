"""Public pages are kept whole until the data change, yet every visitor gets their own CSRF token."""

import re
import time

import pytest
from django.db import connection
from django.test import Client

from funding import queries
from funding.models import Project
from indh_site.public_cache import csrf_placeholder
from tests.factories import make_project, only_the_data_version_read
from tests.funding.test_dashboard import figures

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def language_switch(client, page):
    """Post the language switcher of ``page`` as a browser would: with the page's own token."""
    token = TOKEN.search(page.content.decode()).group(1)
    return client.post("/i18n/setlang/", {"language": "ar", "next": "/", "csrfmiddlewaretoken": token})


def test_a_kept_page_carries_each_visitors_own_csrf_token():
    make_project()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get("/")
    with only_the_data_version_read():
        second_page = second.get("/")  # served from the cache

    for client, page in ((first, first_page), (second, second_page)):
        assert csrf_placeholder() not in page.content.decode()
        assert language_switch(client, page).status_code == 302
    assert TOKEN.search(first_page.content.decode()).group(1) != TOKEN.search(
        second_page.content.decode()
    ).group(1)


def test_a_token_from_someone_elses_page_is_still_refused():
    make_project()
    visitor, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    visitor.get("/")
    others_page = other.get("/")
    assert language_switch(visitor, others_page).status_code == 403


def test_a_change_to_the_data_shows_at_once(client):
    make_project()
    assert figures(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))["Projects"] == "1"
    with only_the_data_version_read():
        assert figures(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))["Projects"] == "1"  # kept
    assert client.get("/api/v1/summary").json()["totals"]["projects"] == 1

    make_project()  # saved through the ORM: the data version changes
    assert figures(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))["Projects"] == "2"
    assert client.get("/api/v1/summary").json()["totals"]["projects"] == 2


def test_a_rejected_filter_is_never_kept(client):
    make_project()
    for _ in range(2):
        response = client.get("/?year=twenty", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "Enter a whole number." in response.content.decode()
    assert client.get("/api/v1/summary?year=twenty").status_code == 400
    assert client.get("/api/v1/summary?year=twenty").status_code == 400


def test_each_language_and_each_format_is_kept_apart(client):
    make_project()
    assert '<html lang="fr"' in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="ar" dir="rtl"' in client.get("/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="en"' in client.get("/?lang=en", HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    as_json = client.get("/api/v1/summary")
    as_csv = client.get("/api/v1/summary", HTTP_ACCEPT="text/csv")
    assert as_json["Content-Type"] == "application/json"
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Content-Disposition"] == 'attachment; filename="indh-summary.csv"'
    assert as_csv["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/summary")["Content-Type"] == "application/json"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the shared version is a PostgreSQL sequence")
def test_a_change_saved_by_another_worker_process_shows_at_once(client):
    def projects_shown():
        return figures(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))["Projects"]

    make_project()
    assert projects_shown() == "1"
    # Another worker writes (no signal reaches this process, nor its local-memory cache)...
    copy = Project.objects.get()
    copy.pk, copy.code = None, "ANOTHER-WORKER-1"
    Project.objects.bulk_create([copy])
    assert projects_shown() == "1"  # ...and until it bumps the version, this process shows what it kept.
    with connection.cursor() as cursor:  # its signal's bump, as seen from the database
        cursor.execute("SELECT nextval('funding_data_version')")
    # This process reads the shared version again at most DATA_VERSION_REUSE_SECONDS later.
    time.sleep(queries.DATA_VERSION_REUSE_SECONDS + 0.05)
    assert projects_shown() == "2"
