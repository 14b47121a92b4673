"""Digits keep their order in Arabic (issue 14, point 6).

Inside right-to-left text, a number grouped with a plain space is cut in pieces that the
bidirectional algorithm lays out right to left: "1 250 000,50" reads "000,50 250 1". A
no-break space (U+00A0 or U+202F) keeps the number whole. Names, codes and file names in
Latin letters are isolated (<bdi> in HTML, U+2068…U+2069 in plain text) so that a number
next to them keeps its place: «تعذر استيراد ⁨khenifra-bad-rows.xlsx⁩: 9 أخطاء».
"""

import html
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from funding import workbook
from funding.models import Project
from indh_site.money import EXAMPLE_AMOUNT, format_mad, format_number, join_items
from tests.funding.workbooks import SAMPLE_FR, project_row, xlsx

pytestmark = pytest.mark.django_db

# A digit, a plain space, a digit: a number split in two (or two numbers run together).
SPLIT_NUMBER = re.compile(r"\d \d")
FSI, PDI = "\u2068", "\u2069"


def visible_text(response):
    """The text of a page as a reader gets it: tags dropped, entities decoded."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", content))


def split_numbers(text):
    return [text[max(0, m.start() - 30) : m.end() + 30] for m in SPLIT_NUMBER.finditer(text)]


@pytest.fixture
def official(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = django_user_model.objects.create_superuser("official", "official@example.org", "x")
    client.force_login(user)
    return user


def test_grouped_numbers_use_a_no_break_space_in_every_language():
    assert format_number(1250000, 0, "ar") == "1\u00a0250\u00a0000"
    assert format_mad(1201, "fr") == "1\u00a0201,00 MAD"
    assert " " not in format_number(1234567.5, 2, "ar")
    assert EXAMPLE_AMOUNT == "1\u00a0250\u00a0000,50"


@pytest.mark.parametrize("address", ["funding:dashboard", "review"])
def test_arabic_public_pages_never_split_a_number_with_a_plain_space(client, demo_data, address):
    with translation.override("ar"):
        response = client.get(reverse(address))
    text = visible_text(response)

    assert "1\u00a0176" in text  # the demo's jobs, grouped
    assert split_numbers(text) == []


def test_the_import_hint_and_errors_write_numbers_whole_and_isolate_the_file_name(client, official):
    form = client.get(reverse("admin:funding_project_import"), HTTP_ACCEPT_LANGUAGE="ar")
    assert "1\u00a0250\u00a0000,50" in visible_text(form)
    assert split_numbers(visible_text(form)) == []

    rows = [project_row(f"X{n}", **{"Secteur": "Aéronautique"}) for n in range(9)]
    upload = SimpleUploadedFile("khenifra-bad-rows.xlsx", xlsx(rows))
    refused = client.post(
        reverse("admin:funding_project_import"),
        {"import_file": upload, "format": "0"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    content = refused.content.decode()
    headline = re.search(r'<div class="errornote">(.*?)</div>', content, re.S).group(1)

    # The file name isolated, the count after it, next to its noun.
    assert " ".join(headline.split()).startswith("تعذر استيراد <bdi>khenifra-bad-rows.xlsx</bdi>: 9 أخطاء.")
    # The list of accepted sectors is an Arabic list: «،», not ", ".
    message = refused.context["result"].outcome.errors[0].message
    assert "، " in message and ", " not in message
    assert split_numbers(visible_text(refused)) == []


def test_number_errors_of_the_import_show_the_example_whole():
    with pytest.raises(workbook.CellError) as error:
        workbook.parse_amount("douze")
    assert EXAMPLE_AMOUNT in str(error.value)
    assert not SPLIT_NUMBER.search(str(error.value))


def test_admin_message_after_an_import_isolates_the_file_name(client, official):
    preview = client.post(
        reverse("admin:funding_project_import"),
        {"import_file": SimpleUploadedFile("projects-sample.xlsx", SAMPLE_FR.read_bytes()), "format": "0"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    done = client.post(
        reverse("admin:funding_project_process_import"),
        preview.context["confirm_form"].initial,
        HTTP_ACCEPT_LANGUAGE="ar",
        follow=True,
    )

    content = done.content.decode()
    messages = [html.unescape(m) for m in re.findall(r'<li class="success">(.*?)</li>', content)]
    assert Project.objects.count() == 12
    assert messages and messages[0].startswith(f"تم استيراد {FSI}projects-sample.xlsx{PDI}: 12 "), messages
    assert not any(SPLIT_NUMBER.search(message) for message in messages)


def test_a_duplicated_code_is_isolated_in_its_error(client, official):
    rows = [project_row("INDH-KHN-2024-001"), project_row("INDH-KHN-2024-001")]
    refused = client.post(
        reverse("admin:funding_project_import"),
        {"import_file": SimpleUploadedFile("bilan.xlsx", xlsx(rows)), "format": "0"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    messages = [error.message for error in refused.context["result"].outcome.errors]

    assert f"رمز المشروع {FSI}INDH-KHN-2024-001{PDI} وارد من قبل في السطر 2." in messages


def test_arabic_lists_use_the_arabic_comma(client):
    with translation.override("ar"):
        assert join_items(["أ", "ب", "ج"]) == "أ، ب، ج"
    with translation.override("fr"):
        assert join_items(["a", "b"]) == "a, b"


def test_review_workbook_cells_never_split_a_number_with_a_plain_space(client, demo_data):
    with translation.override("ar"):
        response = client.get(reverse("review-xlsx"))
    book = load_workbook(BytesIO(response.content))

    texts = [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any("1\u00a0176" in text for text in texts)  # the jobs, in the review's sentences
    assert [text for text in texts if SPLIT_NUMBER.search(text)] == []
