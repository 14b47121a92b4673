"""Hardening: login lockout, security headers in production, error pages, the API rate limit."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from funding.models import ApiRequestCount
from tests.access import PASSWORD, khenifra, make_staff

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="production-like-secret-key-for-tests-only-0123456789abcdefghijklmnop",
        ALLOWED_HOSTS="indh.example.ma",
        DJANGO_SETTINGS_MODULE="indh_site.settings",
    )
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Login lockout (django-axes) -------------------------------------------------------------------
@pytest.fixture
def lockout_after_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def login(client, username, password, language="fr"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_repeated_failed_logins_lock_the_account_with_a_page_in_the_users_language(
    client, lockout_after_three
):
    make_staff("officer", khenifra())
    for _ in range(lockout_after_three - 1):
        response = login(client, "officer", "wrong-password")
        assert response.status_code == 200  # the login form again, with its error
    response = login(client, "officer", "wrong-password", language="ar")
    assert response.status_code == 429
    content = response.content.decode()
    assert 'lang="ar"' in content and 'dir="rtl"' in content
    assert "محاولات" in content  # "attempts", from the access catalogue
    # Even the right password is refused while locked out.
    response = login(client, "officer", PASSWORD, language="fr")
    assert response.status_code == 429
    assert "Trop de connexions échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_is_not_locked(client, lockout_after_three):
    make_staff("officer", khenifra())
    login(client, "officer", "wrong-password")
    response = login(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


# --- Production settings ----------------------------------------------------------------------------
def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


HEADER_PROBE = """
import json
from django.test import Client
from django.test.utils import override_settings
# Production serves hashed names from collectstatic's manifest; there is none in a test run, and file
# names are not what this probe checks, so plain static names are used.
override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client(HTTP_HOST="indh.example.ma")
out = {}
for path in PATHS:
    response = client.get(path, secure=True)
    out[path] = {"status": response.status_code, "headers": dict(response.headers),
                 "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"])}
                             for k, m in response.cookies.items()}}
plain = client.get(PATHS[0], secure=False)
out["http"] = {"status": plain.status_code, "location": plain.headers.get("Location", "")}
print(json.dumps(out))
"""


def probe_production(paths, **env):
    script = f"PATHS = {paths!r}\n" + HEADER_PROBE
    result = manage("shell", "-c", script, env=production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def database_paths():
    # The subprocess can reach the test database only when it is a server (PostgreSQL), not in-memory SQLite.
    return connection.vendor == "postgresql"


def test_production_responses_carry_the_security_headers():
    paths = ["/admin/login/", "/no-such-page/"]
    env = {}
    if database_paths():
        paths += ["/fr/", "/api/v1/summary"]
        settings_dict = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
        )
    result = probe_production(paths, **env)
    for path in paths:
        headers = {k.lower(): v for k, v in result[path]["headers"].items()}
        assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["x-frame-options"] == "DENY", path
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "img-src 'self' data:" in csp, path
        assert "style-src 'self'" in csp and "'unsafe-inline'" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
    assert result["/admin/login/"]["cookies"]["csrftoken"]["secure"]
    assert result["http"]["status"] == 301 and result["http"]["location"].startswith("https://")


def test_production_cookies_are_secure_and_the_api_is_rate_limited_by_default():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.API_RATE_LIMIT)",
        env=production_env(),
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "120"], result.stderr


def test_the_admin_lives_at_the_configured_address():
    script = (
        "from django.urls import reverse, resolve, Resolver404\n"
        "print(reverse('admin:index'))\n"
        "try:\n    resolve('/admin/'); print('admin-still-there')\nexcept Resolver404:\n    print('gone')\n"
    )
    result = manage("shell", "-c", script, env=production_env(ADMIN_URL="gestion-indh-7f3a/"))
    assert result.stdout.strip().splitlines()[-2:] == ["/gestion-indh-7f3a/", "gone"], result.stderr


# --- Content-Security-Policy does not break our pages ---------------------------------------------
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE)


def test_admin_pages_need_no_inline_script_or_style(staff_client):
    from tests.factories import make_project

    project = make_project()
    urls = [
        reverse("admin:index"),
        reverse("admin:funding_project_changelist"),
        reverse("admin:funding_project_change", args=[project.pk]),
        reverse("admin:funding_project_add"),
        reverse("admin:funding_project_history", args=[project.pk]),
        reverse("admin:cooperatives_holder_change", args=[project.holder.pk]),
        reverse("admin:cooperatives_holder_history", args=[project.holder.pk]),
        reverse("admin:funding_project_data_quality"),
        reverse("admin:funding_project_import"),
        reverse("admin:funding_project_export"),
        reverse("admin:cooperatives_holder_export"),
        reverse("admin:auth_user_change", args=[staff_client.session["_auth_user_id"]]),
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response.headers, url
        content = response.content.decode()
        assert not INLINE_SCRIPT.search(content), url
        assert not STYLE_ATTRIBUTE.search(content), url
        assert not EVENT_HANDLER.search(content), url


def test_the_login_page_needs_no_inline_script_or_style(client):
    content = client.get(reverse("admin:login")).content.decode()
    assert not INLINE_SCRIPT.search(content)
    assert not STYLE_ATTRIBUTE.search(content)


def test_public_pages_need_no_inline_script_or_style(client, demo_data):
    for url in ["/fr/", "/fr/holders/", "/fr/bilan/"]:
        response = client.get(url)
        if response.status_code == 404:
            continue  # a page another part of the work has not built yet
        assert response.status_code == 200, url
        content = response.content.decode()
        assert not INLINE_SCRIPT.search(content), url
        assert not STYLE_ATTRIBUTE.search(content), url
        assert not EVENT_HANDLER.search(content), url


# --- Error pages --------------------------------------------------------------------------------
def test_a_missing_page_answers_in_the_visitors_language_without_details(client, settings):
    settings.DEBUG = False
    response = client.get("/nothing/here/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 404
    content = response.content.decode()
    assert 'lang="ar"' in content and 'dir="rtl"' in content
    assert "الصفحة غير موجودة" in content
    assert "Traceback" not in content and "urlpatterns" not in content


@pytest.mark.urls("tests.security_urls")
@pytest.mark.parametrize("language, expected", [("fr", "Erreur du serveur"), ("ar", "خطأ في الخادم"),
                                                ("en", "Server error")])  # fmt: skip
def test_an_unexpected_error_shows_a_plain_page_in_the_visitors_language(settings, language, expected):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/fails/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    content = response.content.decode()
    assert expected in content
    assert f'lang="{language}"' in content
    assert "hunter2" not in content and "Traceback" not in content and "RuntimeError" not in content


# --- API rate limit ---------------------------------------------------------------------------------
@pytest.fixture
def small_budget(settings):
    cache.clear()
    # Counts committed by other processes (the production probe above calls the API on this database).
    ApiRequestCount.objects.all().delete()
    settings.API_RATE_LIMIT = 3
    settings.TRUST_X_FORWARDED_FOR = False
    yield 3
    cache.clear()


def test_the_api_answers_429_with_retry_after_past_the_budget(client, small_budget):
    for _ in range(small_budget):
        assert client.get("/api/v1/summary").status_code != 429
    response = client.get("/api/v1/summary", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert "Too many requests" in response.json()["errors"]["__all__"][0]
    # The budget is per client: another address still gets answers.
    assert client.get("/api/v1/summary", REMOTE_ADDR="10.0.0.9").status_code != 429


def test_pages_are_not_counted_against_the_api_budget(client, small_budget):
    for _ in range(small_budget + 2):
        assert client.get("/fr/no-such-page/").status_code != 429


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, small_budget):
    for n in range(small_budget):
        client.get("/api/v1/summary", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = client.get("/api/v1/summary", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_last_forwarded_hop_is_the_client(client, small_budget, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    for _ in range(small_budget):
        client.get("/api/v1/summary", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    # Same real client, forged first hop: still limited.
    assert client.get("/api/v1/summary", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").status_code == 429
    # Another real client behind the same proxy: answered.
    assert client.get("/api/v1/summary", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code != 429
