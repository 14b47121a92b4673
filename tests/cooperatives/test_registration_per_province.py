"""Registration numbers come from local registers (unique within a province), the ICE is national
(issue 18): the constraints, the province column they rest on, the import's matching, the admin."""

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Commune, Holder, Sector
from funding import services as import_services
from funding.models import Project
from tests.access import khenifra, midelt, midelt_commune
from tests.factories import make_holder, make_project
from tests.funding.workbooks import project_row, xlsx

pytestmark = pytest.mark.django_db
ICE = "001234567000089"


def test_the_same_registration_number_is_allowed_in_two_provinces_and_refused_twice_in_one():
    make_holder(registration_number="00457")
    elsewhere = make_holder(registration_number="00457", commune=midelt_commune())
    assert elsewhere.province == midelt()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_holder(registration_number="00457", commune=Commune.objects.get(code="lehri"))


def test_a_holder_is_always_in_its_communes_province():
    holder = make_holder()
    assert holder.province == khenifra()
    holder.commune = midelt_commune()
    holder.save()
    holder.refresh_from_db()
    assert holder.province == midelt()
    # Bulk writes (the imports' and the load generator's path on SQLite) fill it too.
    [bulk] = Holder.objects.bulk_create([Holder(name="Coopérative Bulk", commune=midelt_commune())])
    assert Holder.objects.get(name="Coopérative Bulk").province == midelt()
    assert bulk.province_id == midelt().pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the province trigger is PostgreSQL's")
def test_the_database_keeps_the_province_whatever_writes_the_row():
    holder = make_holder()
    Holder.objects.filter(pk=holder.pk).update(commune=midelt_commune(), province=khenifra())
    holder.refresh_from_db()
    assert holder.province == midelt()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cooperatives_holder (name, holder_type, commune_id, phone, email, private_notes, "
            "is_demo, created_at, updated_at) VALUES ('Coopérative SQL', 'cooperative', %s, '', '', '', "
            "false, now(), now())",
            [Commune.objects.get(code="lehri").pk],
        )
    assert Holder.objects.get(name="Coopérative SQL").province == khenifra()
    # A commune moved to another province takes its holders along.
    Commune.objects.filter(code="lehri").update(province=midelt())
    assert Holder.objects.get(name="Coopérative SQL").province == midelt()


def holder_form(**overrides):
    data = {
        "name": "Coopérative Tighza",
        "holder_type": "cooperative",
        "registration_number": "",
        "ice": "",
        "commune": Commune.objects.get(code="khenifra").pk,
        "main_sector": Sector.objects.get(code="agriculture").pk,
        "created_on": "",
        "members_total": "",
        "members_women": "",
        "members_under_35": "",
        "phone": "",
        "email": "",
        "private_notes": "",
    }
    data.update(overrides)
    return data


def test_the_admin_form_says_a_number_is_taken_in_the_province_and_checks_the_ice(staff_client):
    make_holder(registration_number="00457", ice=ICE)
    make_holder(registration_number="00999", commune=midelt_commune())
    add = reverse("admin:cooperatives_holder_add")
    with translation.override("en"):
        taken = staff_client.post(add, holder_form(registration_number="00457"), HTTP_ACCEPT_LANGUAGE="en")
        assert taken.status_code == 200
        assert "A holder of this province already has this registration number." in taken.content.decode()
        same_ice = staff_client.post(add, holder_form(ice=ICE), HTTP_ACCEPT_LANGUAGE="en")
        assert "A holder with this ICE already exists." in same_ice.content.decode()
        short = staff_client.post(add, holder_form(ice="12345"), HTTP_ACCEPT_LANGUAGE="en")
        assert "The ICE is exactly 15 digits." in short.content.decode()
        assert Holder.objects.count() == 2
        # Another province's number is free here; a valid ICE is kept.
        created = staff_client.post(
            add, holder_form(registration_number="00999", ice="000000000000001"), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert created.status_code == 302
    holder = Holder.objects.get(name="Coopérative Tighza")
    assert holder.ice == "000000000000001" and holder.province == khenifra()


@pytest.mark.parametrize("ice", ["12345678901234", "1234567890123456", "12345678901234a", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥"])
def test_the_database_refuses_an_ice_that_is_not_15_digits(ice):
    # PostgreSQL refuses 16 characters as too long for the column (DataError) before the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        make_holder(ice=ice)


def test_the_ice_is_unique_across_the_country():
    make_holder(ice=ICE)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_holder(ice=ICE, commune=midelt_commune())
    make_holder(ice="")  # blank is no ICE: any number of holders
    assert Holder.objects.filter(ice__isnull=True).count() == 1


def test_the_ice_is_never_public(client):
    holder = make_holder(name="Coopérative Tighza", ice=ICE)
    project = make_project(holder=holder)
    with translation.override("fr"):
        urls = [
            "/fr/holders/",
            f"/fr/holders/{holder.pk}/",
            reverse("funding:dashboard"),
        ]
    urls += [
        reverse("api:projects"),
        reverse("api:projects") + "?format=csv",
        reverse("api:summary"),
        reverse("api:project", args=[project.code]),
        reverse("api:360giving"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert ICE.encode() not in body, url


def test_the_import_matches_a_registration_number_within_the_rows_province():
    midelt_commune()
    there = make_holder(name="Coopérative Midelt", registration_number="00457", commune=midelt_commune())
    here = make_holder(name="Coopérative Khénifra", registration_number="00457")
    with translation.override("fr"):
        result = import_services.import_workbook(
            file=xlsx(
                [
                    project_row(
                        "REG-1", **{"N° d'immatriculation": "00457", "Porteur du projet": "Coop Khénifra"}
                    ),
                    project_row(
                        "REG-2",
                        **{
                            "N° d'immatriculation": "00457",
                            "Porteur du projet": "Coop M",
                            "Commune": "Midelt",
                        },
                    ),
                    project_row("REG-3", **{"N° d'immatriculation": "00999", "Commune": "Midelt"}),
                ]
            ),
            file_name="bilan.xlsx",
        )
    assert result.ok, result.errors
    assert Project.objects.get(code="REG-1").holder == here
    assert Project.objects.get(code="REG-2").holder == there
    new = Project.objects.get(code="REG-3").holder
    assert new.province == midelt() and new.registration_number == "00999"
    # A project's own holder keeps it, though based in another province than the project.
    project = Project.objects.get(code="REG-1")
    with translation.override("fr"):
        again = import_services.import_workbook(
            file=xlsx(
                [
                    project_row(
                        "REG-1",
                        **{
                            "N° d'immatriculation": "00457",
                            "Porteur du projet": "Coop Khénifra",
                            "Commune": "Midelt",
                        },
                    )
                ]
            ),
            file_name="bilan.xlsx",
        )
    assert again.ok, again.errors
    project.refresh_from_db()
    assert project.holder == here and project.commune.code == "midelt"
