"""The database itself refuses holders that break the rules, whatever writes them."""

import pytest
from django.db import IntegrityError, transaction

from cooperatives.models import Commune, Holder
from tests.factories import make_holder

pytestmark = pytest.mark.django_db


def test_registration_number_is_unique_when_present():
    make_holder(registration_number="00457")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_holder(registration_number="00457")


def test_many_holders_may_have_no_registration_number():
    make_holder(registration_number="")
    make_holder(registration_number=None)
    assert Holder.objects.filter(registration_number__isnull=True).count() == 2


def test_registration_number_keeps_leading_zeros():
    holder = make_holder(registration_number="00457")
    holder.refresh_from_db()
    assert holder.registration_number == "00457"


def test_blank_registration_number_is_refused_by_the_database():
    holder = make_holder()
    with pytest.raises(IntegrityError), transaction.atomic():
        Holder.objects.filter(pk=holder.pk).update(registration_number="")


def test_women_members_cannot_outnumber_members():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_holder(members_total=10, members_women=11)


def test_young_members_cannot_outnumber_members():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_holder(members_total=10, members_under_35=11)


def test_unknown_holder_type_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_holder(holder_type="company")


def test_unknown_commune_kind_is_refused():
    commune = Commune.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Commune.objects.filter(pk=commune.pk).update(kind="city")
