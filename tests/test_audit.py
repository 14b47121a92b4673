"""Every change to a holder, project, partner line or disbursement has its author, its date and its diff."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from cooperatives.models import Holder
from funding.models import Disbursement, ImportBatch, Partner, PartnerContribution, Project
from tests.access import DATA_ENTRY_OFFICER, VALIDATOR, khenifra, make_staff, midelt_commune, two_provinces
from tests.factories import make_holder, make_project
from tests.funding.test_admin_entry import project_form, with_disbursements, with_partner_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = make_staff("officer", khenifra(), role=DATA_ENTRY_OFFICER)
    client.force_login(user)
    return user


def test_an_admin_change_records_author_and_before_after(client, officer):
    project = make_project(title="Ancien titre")
    data = project_form(project.holder, code=project.code, title="Nouveau titre", total_cost="210000.00")
    response = client.post(reverse("admin:funding_project_change", args=[project.pk]), data)
    assert response.status_code == 302
    latest = project.history.latest()
    assert latest.history_user == officer
    assert latest.history_type == "~"

    page = client.get(reverse("admin:funding_project_history", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    changes = page.context["page_obj"][0].audit_changes
    by_field = {str(c["field"]): (c["old"], c["new"]) for c in changes}
    assert by_field["title"] == ("Ancien titre", "Nouveau titre")
    assert by_field["total cost (MAD)"] == ("MAD 100,000.00", "MAD 210,000.00")
    # Bookkeeping timestamps are not shown as changes.
    assert "updated at" not in by_field
    content = page.content.decode()
    assert "Nouveau titre" in content and "Ancien titre" in content and "officer" in content


def test_a_status_change_shows_the_status_labels(client):
    validator = make_staff("validator", khenifra(), role=VALIDATOR)
    client.force_login(validator)
    project = make_project()
    data = project_form(project.holder, code=project.code, status="approved")
    client.post(reverse("admin:funding_project_change", args=[project.pk]), data)
    page = client.get(reverse("admin:funding_project_history", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en")
    by_field = {
        str(c["field"]): (str(c["old"]), str(c["new"])) for c in page.context["page_obj"][0].audit_changes
    }
    assert by_field["status"] == ("Programmed", "Approved")


def test_a_holder_change_is_recorded_with_its_author(client, officer):
    holder = make_holder(name="Coopérative Atlas")
    response = client.post(
        reverse("admin:cooperatives_holder_change", args=[holder.pk]),
        {"name": "Coopérative Atlas Tissage", "holder_type": "cooperative", "commune": holder.commune_id,
         "registration_number": "00457"},
    )  # fmt: skip
    assert response.status_code == 302
    latest = holder.history.latest()
    assert latest.history_user == officer
    page = client.get(
        reverse("admin:cooperatives_holder_history", args=[holder.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    by_field = {str(c["field"]): (c["old"], c["new"]) for c in page.context["page_obj"][0].audit_changes}
    assert by_field["name"] == ("Coopérative Atlas", "Coopérative Atlas Tissage")
    assert by_field["registration number"] == ("—", "00457")


def test_partner_lines_and_disbursements_entered_in_the_admin_are_in_the_projects_history(client, officer):
    data = with_disbursements(
        with_partner_lines(project_form(make_holder()), ("provincial-council", "50000.00")), "60000.00"
    )
    response = client.post(reverse("admin:funding_project_add"), data)
    assert response.status_code == 302
    project = Project.objects.get(code=data["code"])
    line = PartnerContribution.objects.get(project=project)
    disbursement = Disbursement.objects.get(project=project)
    assert line.history.get().history_user == officer
    assert disbursement.history.get().history_user == officer

    page = client.get(reverse("admin:funding_project_history", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    records = page.context["line_records"]
    assert {r.instance_type for r in records} == {PartnerContribution, Disbursement}
    assert all(r.history_user == officer for r in records)
    content = page.content.decode()
    assert "60\u00a0000,00 MAD" in content and "50\u00a0000,00 MAD" in content


def test_a_deletion_is_recorded_with_its_author(client):
    validator = make_staff("validator", khenifra(), role=VALIDATOR)
    client.force_login(validator)
    project = make_project()
    client.post(reverse("admin:funding_project_delete", args=[project.pk]), {"post": "yes"})
    last = Project.history.filter(id=project.pk).latest()
    assert (last.history_type, last.history_user) == ("-", validator)
    page = client.get(reverse("admin:funding_project_history", args=[project.pk]))
    assert page.status_code == 200


def test_changes_from_the_command_line_are_recorded_without_an_author(client, staff_user):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.first()
    record = project.history.latest()
    assert record.history_user is None
    client.force_login(staff_user)
    page = client.get(reverse("admin:funding_project_history", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "no user (command line or automatic)" in page.content.decode()


def tag_with_batch(batch, *objects):
    for obj in objects:
        type(obj).history.filter(id=obj.pk).update(import_batch=batch)


def test_an_import_batch_lists_the_rows_it_touched(client, staff_user):
    project = make_project(title="Projet importé")
    line = PartnerContribution.objects.create(
        project=project, partner=Partner.objects.get(code="odco"), amount=Decimal("20000.00")
    )
    batch = ImportBatch.objects.create(file_name="bilan-2025.xlsx", user=staff_user, created=1)
    tag_with_batch(batch, project, project.holder, line)
    client.force_login(staff_user)
    page = client.get(reverse("admin:funding_importbatch_change", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    labels = [row["label"] for row in page.context["touched_rows"]]
    assert str(project) in labels and project.holder.name in labels and str(line) in labels
    content = page.content.decode()
    assert reverse("admin:funding_project_history", args=[project.pk]) in content
    assert reverse("admin:cooperatives_holder_history", args=[project.holder.pk]) in content
    # …and the project's history names the batch each change came from.
    history = client.get(reverse("admin:funding_project_history", args=[project.pk]))
    assert "bilan-2025.xlsx" in history.content.decode()


def test_import_batches_are_scoped_and_cannot_be_deleted(client, staff_user):
    world = two_provinces()
    both = ImportBatch.objects.create(file_name="both.xlsx", user=staff_user)
    midelt_only = ImportBatch.objects.create(file_name="midelt.xlsx", user=staff_user)
    tag_with_batch(both, world["k_project"], world["m_project"])
    tag_with_batch(midelt_only, world["m_project"])
    client.force_login(world["k_officer"])
    listing = client.get(reverse("admin:funding_importbatch_changelist"))
    assert [b.file_name for b in listing.context["cl"].result_list] == ["both.xlsx"]
    page = client.get(reverse("admin:funding_importbatch_change", args=[both.pk]))
    assert [row["label"] for row in page.context["touched_rows"]] == [str(world["k_project"])]
    assert client.get(reverse("admin:funding_importbatch_change", args=[midelt_only.pk])).status_code == 302
    client.force_login(staff_user)
    response = client.post(reverse("admin:funding_importbatch_delete", args=[both.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert ImportBatch.objects.filter(pk=both.pk).exists()


def test_holders_moved_between_provinces_keep_their_history_visible_to_the_new_province(client):
    world = two_provinces()
    holder = world["k_holder"]
    holder.commune = midelt_commune()
    holder.save()
    client.force_login(world["m_officer"])
    assert client.get(reverse("admin:cooperatives_holder_history", args=[holder.pk])).status_code == 200
    client.force_login(world["k_officer"])
    assert client.get(reverse("admin:cooperatives_holder_history", args=[holder.pk])).status_code == 404
    assert Holder.history.filter(id=holder.pk).count() == 2
