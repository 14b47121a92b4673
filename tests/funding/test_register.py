"""The public register: /projects/ under the dashboard's filters, and a page per project."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Commune
from funding.models import Disbursement, Partner, PartnerContribution, Project, ProjectStatus
from tests.factories import make_holder, make_project

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "Note interne : ne pas publier"


def project_codes(response):
    return re.findall(r'<small><bdi dir="ltr">([^<]+)</bdi></small>', response.content.decode())


@pytest.mark.usefixtures("demo")
class TestRegisterOfTheDemo:
    @pytest.mark.parametrize(
        "params",
        [{}, {"year": "2023", "sector": "agriculture"}, {"commune": "khenifra"}, {"status": "completed"}],
    )
    def test_counts_the_projects_the_dashboard_counts(self, client, params):
        summary = client.get(reverse("api:summary"), params).json()
        response = client.get(reverse("funding:project-list"), params)
        assert response.status_code == 200
        count = summary["totals"]["projects"]
        assert re.search(rf"\b{count} projets?\b", response.content.decode())
        expected = Project.objects.filter(code__in=project_codes(response))
        assert len(project_codes(response)) == min(count, 50) == expected.count()

    def test_each_row_links_to_its_project_page(self, client):
        response = client.get(reverse("funding:project-list"), {"year": "2023", "sector": "agriculture"})
        for code in project_codes(response):
            assert reverse("funding:project-detail", args=[code]) in response.content.decode()

    def test_pages_follow_each_other_without_repeating_a_project(self, client):
        first = client.get(reverse("funding:project-list"))
        second = client.get(reverse("funding:project-list"), {"page": "2"})
        assert 'rel="next"' in first.content.decode()
        assert set(project_codes(first)).isdisjoint(project_codes(second))
        assert len(project_codes(first)) == 50

    def test_sorting_by_cost_puts_the_largest_first(self, client):
        response = client.get(reverse("funding:project-list"), {"sort": "cost"})
        codes = project_codes(response)
        costs = [Project.objects.get(code=code).total_cost for code in codes]
        assert costs == sorted(costs, reverse=True)

    def test_a_page_beyond_the_last_is_not_found(self, client):
        assert client.get(reverse("funding:project-list"), {"page": "999"}).status_code == 404

    @pytest.mark.parametrize(
        "params",
        [{"year": "abc"}, {"sector": "nowhere"}, {"sort": "random"}, {"page": "0"}, {"q": "a\x00b"}],
    )
    def test_a_wrong_parameter_answers_400_with_its_message(self, client, params):
        response = client.get(reverse("funding:project-list"), params)
        assert response.status_code == 400
        assert 'class="form-errors"' in response.content.decode()

    def test_the_page_is_right_to_left_in_arabic(self, client):
        with translation.override("ar"):
            response = client.get(reverse("funding:project-list"))
        assert 'dir="rtl"' in response.content.decode()
        assert "مشروعا" in response.content.decode() or "مشاريع" in response.content.decode()


def test_search_finds_a_project_by_code_title_or_holder_whatever_the_case(client):
    holder = make_holder(name="Coopérative Tifaout")
    make_project(code="INDH-S-001", title="Apiculture à Kerrouchen", holder=holder)
    make_project(code="INDH-S-002", title="Tissage")
    for text in ("indh-s-001", "APICULTURE", "tifaout"):
        response = client.get(reverse("funding:project-list"), {"q": text})
        assert project_codes(response) == ["INDH-S-001"], text


def test_an_empty_search_says_so_and_offers_the_way_back(client):
    make_project()
    response = client.get(reverse("funding:project-list"), {"q": "introuvable"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Aucun projet ne correspond à « introuvable »." in content
    assert "Voir tous les projets" in content


def make_funded_project(**fields):
    project = make_project(
        code="INDH-P-001",
        title="Unité de valorisation du lait",
        total_cost=Decimal("400000.00"),
        indh_contribution=Decimal("300000.00"),
        partner_contribution=Decimal("60000.00"),
        holder_contribution=Decimal("40000.00"),
        jobs_created=6,
        agreement_signed_on=datetime.date(2025, 4, 1),
        private_notes=PRIVATE_NOTE,
        **fields,
    )
    partner = Partner.objects.order_by("pk").first()
    PartnerContribution.objects.create(project=project, partner=partner, amount=Decimal("45000.00"))
    Disbursement.objects.create(
        project=project, released_on=datetime.date(2025, 5, 2), amount=Decimal("100000.00")
    )
    Disbursement.objects.create(
        project=project, released_on=datetime.date(2025, 9, 30), amount=Decimal("50000.00")
    )
    return project, partner


def test_a_project_page_shows_its_funding_plan_and_disbursements(client):
    project, partner = make_funded_project()
    response = client.get(reverse("funding:project-detail", args=[project.code]))
    content = response.content.decode()
    assert response.status_code == 200
    assert project.holder.name in content
    assert reverse("cooperatives:holder-detail", args=[project.holder_id]) in content
    # INDH 75 %, the named partner 11,3 %, the unnamed rest of the partners' share 3,8 %, the holder 10 %.
    for share in ("75,0\u202f%", "11,3\u202f%", "3,8\u202f%", "10,0\u202f%"):
        assert share in content
    assert partner.label in content
    assert "150\u00a0000,00 MAD sur les 300\u00a0000,00 MAD engagés par l'INDH" in content
    assert "(50,0\u202f%)" in content
    assert "02/05/2025" in content and "30/09/2025" in content and "01/04/2025" in content
    assert PRIVATE_NOTE not in content


def test_the_project_json_says_what_the_page_says(client):
    project, partner = make_funded_project()
    data = client.get(reverse("api:project", args=[project.code])).json()
    assert data["indh_contribution"] == "300000.00"
    assert data["disbursed"] == "150000.00"
    assert data["disbursed_percent"] == "50.00"
    assert [line["amount"] for line in data["disbursements"]] == ["100000.00", "50000.00"]
    assert [share["amount"] for share in data["funding_plan"]] == [
        "300000.00",
        "45000.00",
        "15000.00",
        "40000.00",
    ]
    assert data["funding_plan"][1]["partner"] == partner.code
    assert data["agreement_signed_on"] == "2025-04-01"
    assert data["jobs"] == 6
    assert PRIVATE_NOTE not in str(data)
    assert data["url"].endswith(reverse("funding:project-detail", args=[project.code]))


def test_an_unknown_code_is_not_found_on_the_page_and_in_the_api(client):
    assert client.get(reverse("funding:project-detail", args=["NOPE-1"])).status_code == 404
    response = client.get(reverse("api:project", args=["NOPE-1"]))
    assert response.status_code == 404
    assert response.json()["errors"]["code"]


def test_a_cancelled_project_is_shown_as_cancelled(client):
    project = make_project(status=ProjectStatus.CANCELLED)
    content = client.get(reverse("funding:project-detail", args=[project.code])).content.decode()
    assert "Ce projet a été annulé." in content
    assert client.get(reverse("api:project", args=[project.code])).json()["cancelled"] is True


def test_a_project_page_in_arabic_is_right_to_left_with_its_code_isolated(client):
    project, _partner = make_funded_project(commune=Commune.objects.get(code="khenifra"))
    with translation.override("ar"):
        content = client.get(reverse("funding:project-detail", args=[project.code])).content.decode()
    assert 'dir="rtl"' in content
    assert f'<bdi dir="ltr">{project.code}</bdi>' in content
    assert "مخطط التمويل" in content
