"""/api/v1/360giving.json: a 360Giving Data Standard 1.4.3 package that adds up to the summary."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from funding.models import Project, ProjectStatus
from tests.factories import make_project

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "360giving"
# The package schema names the grant schema by the address of an earlier release.
GRANT_SCHEMA_ADDRESS = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
)


def validator():
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([(GRANT_SCHEMA_ADDRESS, resource), (grant["$id"], resource)])
    formats = Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(package, registry=registry, format_checker=formats)


def package(client, **params):
    response = client.get(reverse("api:360giving"), params)
    assert response.status_code == 200, response
    body = b"".join(response.streaming_content)
    # parse_float=Decimal: the amounts must be exact, and are compared as such.
    return json.loads(body, parse_float=Decimal)


def errors_of(data):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(data)]


@pytest.mark.usefixtures("demo")
class TestDemoPackage:
    def test_the_package_validates_against_the_standard(self, client):
        assert errors_of(package(client)) == []

    def test_one_grant_per_project_of_the_summary_adding_up_to_its_indh_total(self, client):
        data = package(client)
        totals = client.get(reverse("api:summary")).json()["totals"]
        assert len(data["grants"]) == totals["projects"]
        assert sum(g["amountAwarded"] for g in data["grants"]) == Decimal(totals["indh_contribution"])
        assert sum(g["indh:totalCost"] for g in data["grants"]) == Decimal(totals["total_cost"])

    def test_filters_are_the_summarys(self, client):
        data = package(client, year=2025, sector="agriculture")
        totals = client.get(reverse("api:summary"), {"year": 2025, "sector": "agriculture"}).json()
        assert len(data["grants"]) == totals["totals"]["projects"] > 0
        assert {g["indh:year"] for g in data["grants"]} == {2025}
        assert errors_of(data) == []

    def test_labels_follow_the_requested_language(self, client):
        arabic = package(client, lang="ar")["grants"][0]
        french = package(client, lang="fr")["grants"][0]
        assert arabic["indh:statusLabel"] != french["indh:statusLabel"]
        assert arabic["id"] == french["id"]

    def test_a_wrong_filter_answers_400(self, client):
        response = client.get(reverse("api:360giving"), {"year": "abc"})
        assert response.status_code == 400
        assert "year" in response.json()["errors"]


def test_a_grant_carries_the_project_exactly(client):
    project = make_project(
        code="INDH-T-001",
        total_cost=Decimal("1250000.50"),
        indh_contribution=Decimal("1000000.25"),
        partner_contribution=Decimal("200000.00"),
        holder_contribution=Decimal("50000.25"),
        jobs_created=7,
    )
    (grant,) = package(client)["grants"]
    assert grant["id"].endswith("-INDH-T-001")
    assert grant["currency"] == "MAD"
    assert grant["amountAwarded"] == Decimal("1000000.25")
    assert grant["indh:totalCost"] == Decimal("1250000.50")
    assert grant["indh:partnerContribution"] == Decimal("200000.00")
    assert grant["indh:holderContribution"] == Decimal("50000.25")
    assert grant["indh:jobsCreated"] == 7
    assert grant["recipientOrganization"][0]["name"] == project.holder.name
    assert grant["recipientOrganization"][0]["id"].endswith(f"-holder-{project.holder_id}")
    assert grant["beneficiaryLocation"][0]["countryCode"] == "MA"


def test_the_recipient_identifier_survives_a_renamed_holder(client):
    project = make_project()
    before = package(client)["grants"][0]["recipientOrganization"][0]["id"]
    project.holder.name = "Coopérative renommée"
    project.holder.save()
    assert package(client)["grants"][0]["recipientOrganization"][0]["id"] == before


def test_cancelled_projects_are_left_out_as_in_the_summary(client):
    make_project(code="INDH-T-KEPT")
    make_project(code="INDH-T-GONE", status=ProjectStatus.CANCELLED)
    codes = [g["indh:projectCode"] for g in package(client)["grants"]]
    assert codes == ["INDH-T-KEPT"]
    assert Project.objects.count() == 2


def test_the_validator_catches_what_the_standard_forbids(client):
    make_project()
    data = package(client)
    assert errors_of(data) == []
    del data["grants"][0]["currency"]
    data["grants"][0]["awardDate"] = "01/04/2025"
    data["grants"][0]["amountAwarded"] = "60000.00"
    assert len(errors_of(data)) == 3
