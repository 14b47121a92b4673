"""Public pages are kept whole until the data change, the same for every visitor, and answer
conditional requests (ETag, Last-Modified: 304) and gzip like any well-behaved page."""

import datetime
import gzip
import os
import re
import subprocess
import sys
import time
from email.utils import parsedate_to_datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from funding import queries
from funding.models import DataChange, Project
from tests.factories import make_project, only_the_data_version_read
from tests.funding.test_dashboard import figures

pytestmark = pytest.mark.django_db

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def public(name, lang="fr", query="", **kwargs):
    with translation.override(lang):
        return reverse(name, **kwargs) + (f"?{query}" if query else "")


def changed(django_capture_on_commit_callbacks, **fields):
    """A project saved as an official's save is: the change's time is written once it is committed."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_project(**fields)


# --- Kept pages -----------------------------------------------------------------------------------


def test_a_kept_page_is_the_same_for_every_visitor_and_holds_no_csrf_token():
    make_project()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(public("funding:dashboard"))
    with only_the_data_version_read():
        second_page = second.get(public("funding:dashboard"))  # served from the cache

    assert first_page.content == second_page.content
    assert "csrfmiddlewaretoken" not in first_page.content.decode()
    assert "csrftoken" not in first_page.cookies and "Cookie" not in first_page.get("Vary", "")


def test_a_change_to_the_data_shows_at_once(client):
    make_project()
    assert figures(client.get("/en/"))["Projects"] == "1"
    with only_the_data_version_read():
        assert figures(client.get("/en/"))["Projects"] == "1"  # kept
    assert client.get("/api/v1/summary").json()["totals"]["projects"] == 1

    make_project()  # saved through the ORM: the data version changes
    assert figures(client.get("/en/"))["Projects"] == "2"
    assert client.get("/api/v1/summary").json()["totals"]["projects"] == 2


def test_a_rejected_filter_is_never_kept(client):
    make_project()
    for _ in range(2):
        response = client.get("/en/?year=twenty")
        assert response.status_code == 400
        assert "Enter a whole number." in response.content.decode()
        assert "ETag" not in response
    assert client.get("/api/v1/summary?year=twenty").status_code == 400
    assert client.get("/api/v1/summary?year=twenty").status_code == 400


def test_each_language_and_each_format_is_kept_apart(client):
    make_project()
    assert '<html lang="fr"' in client.get("/fr/").content.decode()
    assert '<html lang="ar" dir="rtl"' in client.get("/ar/").content.decode()
    assert '<html lang="en"' in client.get("/en/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()

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
        return figures(client.get("/en/"))["Projects"]

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


# --- Last updated ---------------------------------------------------------------------------------


def test_every_public_page_and_the_api_say_when_the_data_last_changed(
    client, django_capture_on_commit_callbacks
):
    project = changed(django_capture_on_commit_callbacks)
    moment = DataChange.objects.get().changed_at
    shown = timezone.localtime(moment).strftime("%d/%m/%Y\u00a0%H:%M")  # Africa/Casablanca
    pages = [
        public("funding:dashboard", "ar"),
        public("cooperatives:holder-list", "fr"),
        public("cooperatives:holder-detail", "en", args=[project.holder_id]),
        public("review", "ar"),
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert re.search(rf'<time datetime="[^"]+" dir="ltr">{re.escape(shown)}</time>', content), url

    for url in ("/api/v1/summary", "/api/v1/projects"):
        stamp = client.get(url).json()["last_updated"]
        # ISO 8601 in Morocco's time, with its offset.
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), stamp
        assert stamp == timezone.localtime(moment).isoformat(timespec="seconds")
        assert datetime.datetime.fromisoformat(stamp) == moment.replace(microsecond=0)


def test_every_kind_of_write_moves_the_last_change(client, django_capture_on_commit_callbacks):
    project = changed(django_capture_on_commit_callbacks)
    first = DataChange.objects.get().changed_at

    with django_capture_on_commit_callbacks(execute=True):
        project.title = "Renamed"
        project.save()  # an admin save
    second = DataChange.objects.get().changed_at
    assert second > first

    with django_capture_on_commit_callbacks(execute=True):
        queries.invalidate_summary_cache()  # what the imports and bulk writes call
    third = DataChange.objects.get().changed_at
    assert third > second

    with django_capture_on_commit_callbacks(execute=True):
        project.delete()
    assert DataChange.objects.get().changed_at > third
    assert client.get("/api/v1/summary").json()["last_updated"] == timezone.localtime(
        DataChange.objects.get().changed_at
    ).isoformat(timespec="seconds")


def test_a_change_that_is_rolled_back_leaves_the_last_change_alone(django_capture_on_commit_callbacks):
    changed(django_capture_on_commit_callbacks)
    before = DataChange.objects.get().changed_at
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_project()
    # Never committed: the callbacks are dropped, the time stays.
    assert callbacks and DataChange.objects.get().changed_at == before


# --- Conditional requests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/ar/",
        "/fr/holders/",
        "/en/bilan/",
        "/api/v1/summary",
        "/api/v1/summary?format=csv&lang=ar",
        "/api/v1/projects",
        "/api/v1/projects?format=csv",
    ],
)
def test_an_unchanged_answer_is_not_sent_again(client, django_capture_on_commit_callbacks, url):
    changed(django_capture_on_commit_callbacks)
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('W/"') and "no-cache" in first["Cache-Control"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # The gzip middleware's weakened form of a strong tag matches too.
    assert client.get(url, HTTP_IF_NONE_MATCH=etag.removeprefix("W/")).status_code == 304

    changed(django_capture_on_commit_callbacks)
    time.sleep(queries.DATA_VERSION_REUSE_SECONDS + 0.05)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert parsedate_to_datetime(fresh["Last-Modified"]) >= parsedate_to_datetime(last_modified)


def test_the_etag_differs_per_language_query_and_format(client):
    make_project()
    tags = [
        client.get(url)["ETag"]
        for url in (
            "/ar/",
            "/fr/",
            "/fr/?year=2024",
            "/api/v1/summary",
            "/api/v1/summary?format=csv",
            "/api/v1/summary?lang=ar",
        )
    ]
    tags.append(client.get("/api/v1/summary", HTTP_ACCEPT="text/csv")["ETag"])
    assert len(set(tags)) == len(tags)


# --- Compression ----------------------------------------------------------------------------------


def test_html_json_and_csv_are_compressed_for_clients_that_accept_it(client):
    for n in range(30):
        make_project(title=f"Project {n}")
    for url, kind in [
        ("/ar/", "text/html"),
        ("/api/v1/summary", "application/json"),
        ("/api/v1/summary?format=csv", "text/csv"),
        ("/api/v1/projects?format=csv", "text/csv"),
    ]:
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert packed["Content-Type"].startswith(kind)
        assert "Content-Encoding" not in plain
        assert packed["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed["Vary"]
        body = b"".join(packed.streaming_content) if packed.streaming else packed.content
        assert gzip.decompress(body) == (
            b"".join(plain.streaming_content) if plain.streaming else plain.content
        )
        # Still answered 304 with the tag of the compressed answer.
        assert packed["ETag"].startswith('W/"')
        assert (
            client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304
        )


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_workbook_is_not_compressed_again(client):
    make_project()
    response = client.get("/api/v1/projects?format=xlsx", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Type"] == XLSX_MIME
    assert "Content-Encoding" not in response


def test_compression_can_be_left_to_the_proxy(settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if "GZip" not in name]
    make_project()
    assert "Content-Encoding" not in Client().get("/ar/", HTTP_ACCEPT_ENCODING="gzip")

    assert compressing(COMPRESS_RESPONSES="0") == "False"
    assert compressing() == "True"


def compressing(**env):
    """Whether the settings, read in a fresh interpreter with ``env``, compress the answers."""
    printed = "import indh_site.settings as s; print(any('GZip' in name for name in s.MIDDLEWARE))"
    clean = {k: v for k, v in os.environ.items() if k not in {"COMPRESS_RESPONSES", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(
        [sys.executable, "-c", printed],
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
