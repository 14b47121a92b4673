"""A name holding a control character (what a pasted manual line break brings) never breaks a file.

Every CSV and XLSX writer passes text through indh_site.exports.cell_text: each control character
other than tab, line feed and carriage return becomes a space, so the visible text is kept and the
words it separated stay apart.
"""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cooperatives.models import Commune, Sector
from funding import services
from funding.models import Project
from indh_site.exports import cell_text
from tests.access import ANALYST, khenifra, make_staff
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db

BROKEN = "Agri\x0bcul\x07ture"
SHOWN = "Agri cul ture"


def workbook_texts(data):
    book = load_workbook(io.BytesIO(data))
    return {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def broken_names():
    Sector.objects.filter(code="agriculture").update(name_fr=BROKEN, name_ar=BROKEN, name_en=BROKEN)
    Commune.objects.filter(code="khenifra").update(name_fr="Khé\x0bnifra", name_ar="خنيـ\x0bفرة")
    make_project(year=2024, agreement_signed_on=None, holder=make_holder(name="Coopérative\x0bAtlas"))
    make_project(year=2025)


def test_cell_text_replaces_control_characters_by_a_space_and_keeps_tab_and_newlines():
    assert cell_text("a\x0bb\x00c\x1fd") == "a b c d"
    assert cell_text("a\tb\nc") == "a\tb\nc"
    assert cell_text("a\rb", xlsx=True) == "a_x000D_b"
    assert cell_text("\x0b=1+1") == "' =1+1"  # the space left in front is kept by the escape
    assert cell_text(12) == 12


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_review_workbook_is_written_with_the_names_shown_with_a_space(client, broken_names, lang):
    with translation.override(lang):
        response = client.get(reverse("review-xlsx"))
    assert response.status_code == 200
    texts = workbook_texts(response.content)
    assert SHOWN in texts
    assert not any(isinstance(text, str) and "\x0b" in text for text in texts)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_open_data_exports_write_the_names_with_a_space(client, broken_names, fmt):
    for endpoint in ("/api/v1/summary", "/api/v1/projects"):
        response = client.get(endpoint, {"format": fmt, "lang": "fr"})
        assert response.status_code == 200, endpoint
        data = body(response)
        if fmt == "xlsx":
            texts = workbook_texts(data)
        else:
            texts = {cell for line in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in line}
        assert {SHOWN, "Khé nifra"} & texts, endpoint
        assert not any(isinstance(text, str) and "\x0b" in text for text in texts)


@pytest.mark.parametrize(
    ("url_name", "index"),
    [
        ("admin:funding_project_export", 0),
        ("admin:funding_project_export", 1),
        ("admin:cooperatives_holder_export", 0),
        ("admin:cooperatives_holder_export", 1),
    ],
)
def test_the_admin_exports_write_the_names_with_a_space(client, broken_names, url_name, index):
    client.force_login(make_staff("analyst", khenifra(), role=ANALYST))
    response = client.post(reverse(url_name), {"format": str(index)})
    assert response.status_code == 200
    data = body(response)
    if index == 0:
        texts = workbook_texts(data)
    else:
        texts = {cell for line in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in line}
    assert "Coopérative Atlas" in texts
    assert not any(isinstance(text, str) and "\x0b" in text for text in texts)


def test_reimporting_the_export_saves_the_space_and_nothing_else():
    make_project(code="CTRL-1", title="Ligne\x0bcoupée")
    data = services.export_projects(queryset=Project.objects.all(), fmt="xlsx")
    result = services.import_workbook(file=data, file_name="x.xlsx")
    assert result.ok, result.errors
    assert Project.objects.get(code="CTRL-1").title == "Ligne coupée"
