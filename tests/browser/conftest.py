"""Real-browser journeys: Playwright driving Debian's Chromium against the live test server.

Every journey gets a `journey` object (see `Journey`) whose page refuses to talk to any host
but the application's, records console errors, uncaught exceptions and server errors, and
saves a screenshot per step under test-artifacts/browser/<test>/. The test fails if anything
was recorded, so no journey can forget to check.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connections
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Error, expect, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OFFICER_PASSWORD = "Saisie-2026-khenifra"
LOCALES = {"ar": "ar-MA", "fr": "fr-FR", "en": "en-GB"}
NARROW_WIDTH = 375


def _find_chromium():
    """Debian's chromium (never a browser downloaded by Playwright), or the one CHROMIUM_PATH names."""
    explicit = os.environ.get("CHROMIUM_PATH")
    candidates = [explicit] if explicit else [shutil.which("chromium"), "/usr/bin/chromium"]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def _unavailable(reason):
    """Locally a missing browser skips the journeys; in CI it is a failure, never a silent skip."""
    message = f"{reason} The browser journeys need Debian's Chromium: apt-get install chromium"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser(request):
    """Chromium for the journeys of this package, and only for them (see the end of the fixture)."""
    executable = _find_chromium()
    if executable is None:
        _unavailable(
            f"No Chromium at CHROMIUM_PATH={os.environ['CHROMIUM_PATH']}."
            if os.environ.get("CHROMIUM_PATH")
            else "Chromium was not found (chromium on PATH, /usr/bin/chromium)."
        )
    # The test database first: made, migrated and serialized while no event loop runs (see below).
    request.getfixturevalue("django_db_setup")
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections
    }
    # Playwright's sync API runs an asyncio loop in the test's thread; Django refuses ORM calls from a
    # thread with a running loop unless told that this is deliberate. It is: the tests' own ORM calls
    # are plain synchronous code, the loop only drives the browser.
    unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    # From now on the loop counts as running in this thread, and asgiref's Local, under Django's
    # connections, hands out other connection objects than before. Give them the database contents
    # serialized when the test database was made, or serialized_rollback would restore nothing (the
    # reference data and roles of the migrations would be gone after the first journey's flush).
    for alias, contents in serialized.items():
        if contents is not None:
            connections[alias]._test_serialized_contents = contents

    def stop():
        # Close the connections made while the loop ran (the test database could not be dropped beside
        # them), then stop the loop: the tests after this package find Django as they expect it.
        connections.close_all()
        playwright.stop()
        if unsafe_before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe_before

    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Error as exc:
        stop()
        _unavailable(f"Chromium at {executable} did not start: {exc}.")
    yield browser
    browser.close()
    stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so the journey fixture knows whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Screenshots:
    """Numbered screenshots of one test, in test-artifacts/browser/<test>/ (emptied when the test starts)."""

    def __init__(self, name):
        self.directory = ARTIFACTS / re.sub(r"[^\w.-]+", "-", name)
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        self.count = 0

    def save(self, page, step, *, full_page=True):
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.directory / f"{self.count:02d}-{slug}.png"
        page.screenshot(path=path, full_page=full_page)
        return path


class Journey:
    """One person's visit: a fresh browser context, set to one language (`language` follows the person
    if they switch), with its guards and screenshots."""

    def __init__(self, browser, live_server, shots, language):
        self.base_url = live_server.url
        self.netloc = urlsplit(self.base_url).netloc
        self.language = language
        self.shots = shots
        self.console_errors = []
        self.page_errors = []
        self.server_errors = []
        self.foreign_requests = []
        self.context = browser.new_context(
            locale=LOCALES[language],
            timezone_id="Africa/Casablanca",
            extra_http_headers={"Accept-Language": f"{LOCALES[language]},{language};q=0.9"},
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        self.context.set_default_timeout(10_000)
        self.context.route("**/*", self._only_the_application)
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("response", self._on_response)
        # WebSockets bypass route(): watch them (and any request route() might not see) as they open.
        self.context.on("request", lambda request: self._check_host(request.url))
        self.page.on("websocket", lambda socket: self._check_host(socket.url))

    # --- guards ---------------------------------------------------------------------------
    def _check_host(self, url):
        """Record a request to any host but the application's; True when it must not go out."""
        parts = urlsplit(url)
        foreign = parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != self.netloc
        if foreign and url not in self.foreign_requests:
            self.foreign_requests.append(url)
        return foreign

    def _only_the_application(self, route):
        if self._check_host(route.request.url):
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _on_console(self, message):
        if message.type == "error":
            where = message.location.get("url")
            self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _on_response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def problems(self):
        found = []
        for label, items in [
            ("JavaScript console errors", self.console_errors),
            ("uncaught JavaScript exceptions", self.page_errors),
            ("server errors", self.server_errors),
            ("requests to hosts other than the application", self.foreign_requests),
        ]:
            if items:
                found.append(f"{label}:\n  " + "\n  ".join(items))
        return found

    # --- helpers --------------------------------------------------------------------------
    def t(self, message, **params):
        """`message` as this journey's person reads it: the application's own translation, so selectors
        follow the catalogues instead of copying them."""
        with translation.override(self.language):
            text = gettext(message)
        return text % params if params else text

    def said(self, message, **params):
        """Like t(), for what the person must understand: it fails if the catalogue lacks the translation."""
        text = self.t(message, **params)
        untranslated = message % params if params else message
        assert self.language == "en" or text != untranslated, f"no {self.language} translation: {message}"
        return text

    def url(self, path):
        return self.base_url + path

    def goto(self, path):
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
        return response

    def log_in(self, user, password=OFFICER_PASSWORD):
        """Sign in to the admin through its login page, as the person does."""
        self.goto("/admin/")
        self.page.locator("#id_username").fill(user.username)
        self.page.locator("#id_password").fill(password)
        self.shot("login")
        self.page.get_by_role("button", name=self.t("Log in")).click()
        expect(self.page.locator("#user-tools")).to_be_visible()

    def shot(self, step, *, full_page=True):
        """Save a screenshot for this step: test-artifacts/browser/<test>/<nn>-<language>-<step>.png."""
        return self.shots.save(self.page, f"{self.language}-{step}", full_page=full_page)

    def assert_fits_narrow_screen(self, step):
        """On a 375-pixel-wide screen nothing overflows horizontally (then the width is restored)."""
        page = self.page
        before = page.viewport_size
        page.set_viewport_size({"width": NARROW_WIDTH, "height": 812})
        try:
            overflow = page.evaluate(
                """() => {
                    const width = window.innerWidth;
                    // What can be scrolled to: past the right edge in LTR, past the left edge in RTL.
                    const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
                    const wide = [...document.querySelectorAll('body *')]
                        .filter(el => {
                            const box = el.getBoundingClientRect();
                            return box.width && (rtl ? box.left < -1 : box.right > width + 1);
                        })
                        .slice(0, 5)
                        .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                             + (el.className && typeof el.className === 'string'
                                ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
                    return {scroll: document.documentElement.scrollWidth, inner: width, wide};
                }"""
            )
            self.shot(f"{step}-{NARROW_WIDTH}px")
            assert overflow["scroll"] <= overflow["inner"], (
                f"{page.url} overflows a {NARROW_WIDTH}px screen: scrollWidth {overflow['scroll']} > "
                f"{overflow['inner']}; elements sticking out: {overflow['wide']}"
            )
        finally:
            page.set_viewport_size(before)

    def close(self):
        self.context.close()


def _official(user_model, username, role):
    """A staff account of the province of Khénifra with one of the roles officials are given."""
    from django.contrib.auth.models import Group

    from cooperatives.models import Province, ProvinceAssignment

    user = user_model.objects.create_user(username=username, password=OFFICER_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    ProvinceAssignment.objects.create(user=user, province=Province.objects.get(code="KHN"))
    return user


@pytest.fixture
def officer(django_user_model):
    """A data-entry officer of Khénifra."""
    from indh_site.roles import DATA_ENTRY_OFFICER

    return _official(django_user_model, "saisie.khenifra", DATA_ENTRY_OFFICER)


@pytest.fixture
def validator(django_user_model):
    """A validator of Khénifra: enters data too, and may record approved or completed projects."""
    from indh_site.roles import VALIDATOR

    return _official(django_user_model, "validation.khenifra", VALIDATOR)


@pytest.fixture
def journey(request, browser, live_server):
    """Open journeys with `journey("ar")`; each is checked for errors and closed at the end of the test."""
    # The live server runs in this process and shares its cache: figures cached during another test
    # (whose rows the database flush has since removed, without any signal) must not answer here.
    cache.clear()
    from cooperatives.models import Commune, Sector

    assert Commune.objects.exists() and Sector.objects.exists(), (
        "The reference data of the migrations is missing: mark the journey "
        "@pytest.mark.django_db(transaction=True, serialized_rollback=True)"
    )
    shots = Screenshots(request.node.name)
    opened = []

    def open_journey(language):
        opened.append(Journey(browser, live_server, shots, language))
        return opened[-1]

    yield open_journey
    report = getattr(request.node, "report_call", None)
    problems = []
    for visit in opened:
        if report is not None and report.failed:
            try:
                visit.shot("failure")
            except Exception as exc:  # a crashed page must not hide the test's own failure
                problems.append(f"(no failure screenshot: {exc})")
        problems += visit.problems()
        visit.close()
    assert not problems, "The browser saw problems:\n" + "\n".join(problems)
