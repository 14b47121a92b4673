"""The yearly review prints as an A4 report, left to right in French and right to left in Arabic.

Real Chromium (Debian's, never a downloaded one) renders /bilan/ for print, as an official's
"Print" or "Save as PDF" does. PDFs and screenshots are kept in test-artifacts/review-print/.
"""

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from funding.review import format_date, title, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "review-print"
A4_POINTS = (595, 842)  # 210 × 297 mm
WEBSITE_PARTS = (".site-header", ".site-footer", ".review-filters", ".review-tools")
REPORT_PARTS = (".review-head h1", ".review-subtitle", ".review-meta", ".review-text", ".review-source")


def chromium_path():
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        message = "Debian's chromium is needed to print the review: apt-get install chromium"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return executable


def print_page(base_url, path, *, language, executable):
    """Open ``path`` in Chromium for print and report what the printed page shows, and its PDF.

    Runs in a thread of its own: Playwright's sync API keeps an event loop in its thread, which
    must be neither the test's (Django's ORM refuses to run beside one) nor another Playwright's.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        context = browser.new_context(extra_http_headers={"Accept-Language": language})
        page = context.new_page()
        elsewhere = []
        page.on("request", lambda request: request.url.startswith(base_url) or elsewhere.append(request.url))
        status = page.goto(base_url + path).status
        page.emulate_media(media="print")
        page.screenshot(path=ARTIFACTS / f"review-{language}.png", full_page=True)
        seen = {
            "status": status,
            "direction": page.locator("html").get_attribute("dir"),
            "visible": {part: page.locator(part).first.is_visible() for part in WEBSITE_PARTS + REPORT_PARTS},
            "head": page.locator(".review-head").inner_text(),
            "heading_break_after": page.locator("h2").first.evaluate("h => getComputedStyle(h).breakAfter"),
            "row_break_inside": page.locator("tr").first.evaluate("tr => getComputedStyle(tr).breakInside"),
            "pdf": page.pdf(prefer_css_page_size=True),
            "elsewhere": elsewhere,
        }
        browser.close()
    return seen


def page_sizes(pdf):
    """Each page's size in points, from the PDF's MediaBox entries."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


@pytest.mark.parametrize("language, direction", [("fr", "ltr"), ("ar", "rtl")])
def test_review_prints_as_an_a4_report_without_the_website_around_it(live_server, language, direction):
    pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(
            print_page, live_server.url, f"/{language}/bilan/", language=language, executable=executable
        ).result()
    (ARTIFACTS / f"review-{language}.pdf").write_bytes(seen["pdf"])

    assert seen["status"] == 200
    assert seen["direction"] == direction
    assert [part for part in WEBSITE_PARTS if seen["visible"][part]] == []
    assert [part for part in REPORT_PARTS if not seen["visible"][part]] == []
    # The report opens with what it is, where, for which period, and the day it was produced.
    with translation.override(language):
        assert title() in seen["head"]
        assert format_date(today()) in seen["head"]
    assert "2019–2025" in seen["head"]
    assert {"fr": "Province de Khénifra", "ar": "إقليم خنيفرة"}[language] in seen["head"]
    # Headings are not left alone at the bottom of a page; rows are not cut in two.
    assert seen["heading_break_after"] == "avoid"
    assert seen["row_break_inside"] == "avoid"
    sizes = page_sizes(seen["pdf"])
    assert len(sizes) >= 2
    assert set(sizes) == {A4_POINTS}
    assert seen["elsewhere"] == []
