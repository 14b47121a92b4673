"""/open-data/: every field of the open-data API documented, in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from funding import giving360, open_data, queries
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def documented_keys(content):
    return {key for key in content.split("<code>")[1:] for key in [key.split("</code>")[0]]}


def test_every_field_of_the_project_list_is_documented(client):
    content = client.get(reverse("funding:open-data")).content.decode()
    assert set(queries.PROJECT_COLUMNS) <= documented_keys(content)


def test_every_field_of_the_summary_is_documented(client):
    make_project()
    summary = client.get(reverse("api:summary")).json()
    content = client.get(reverse("funding:open-data")).content.decode()
    keys = documented_keys(content)
    missing = {key for key in summary if key != "totals" and key not in keys}
    missing |= {f"totals.{key}" for key in summary["totals"] if f"totals.{key}" not in keys}
    assert missing == set()


def test_every_additional_360giving_field_is_documented(client):
    project = make_project()
    row = giving360.grants_queryset({}, lang="fr").get(code=project.code)
    grant = giving360.grant(row, labels=giving360.labels_for("fr"))
    extra = {key for key in grant if key.startswith("indh:")}
    assert extra <= {field.key for field in open_data.GIVING360_FIELDS}


@pytest.mark.parametrize(
    ("lang", "direction", "phrase"),
    [
        ("ar", "rtl", "حقول المشروع"),
        ("fr", "ltr", "Les champs d'un projet"),
        ("en", "ltr", "The fields of a project"),
    ],
)
def test_the_page_reads_in_each_language(client, lang, direction, phrase):
    with translation.override(lang):
        response = client.get(reverse("funding:open-data"))
    content = response.content.decode()
    assert response.status_code == 200
    assert f'dir="{direction}"' in content
    assert phrase in content.replace("&#x27;", "'")
    assert "creativecommons.org/licenses/by/4.0" in content
    assert reverse("api:360giving") in content


def test_download_headers_come_in_the_readers_language():
    with translation.override("ar"):
        labels = open_data.column_labels(["code", "total_cost", "unknown"])
    assert labels == ["رمز المشروع", "الكلفة الإجمالية", "unknown"]
