"""Two provinces and staff accounts for the access tests (roles, scoping, audit, data quality).

Khénifra and Midelt come with the reference-data migrations (the kingdom's territory), so every test
can put a row on each side of the line an official must not cross.
"""

from django.contrib.auth.models import Group, User

from cooperatives.models import Commune, Province, ProvinceAssignment
from indh_site.roles import ANALYST, DATA_ENTRY_OFFICER, VALIDATOR
from tests.factories import make_holder, make_project

PASSWORD = "a-long-test-password-42"


def khenifra():
    return Province.objects.get(code="KHN")


def midelt():
    # HCP's nomenclature (cooperatives migration 0009) has the province and its town.
    return Province.objects.get(code="midelt")


def midelt_commune():
    midelt()
    return Commune.objects.get(code="midelt")


def make_staff(username, *provinces, role=DATA_ENTRY_OFFICER):
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for province in provinces:
        ProvinceAssignment.objects.create(user=user, province=province)
    return user


def two_provinces():
    """A project (with its holder) in each province, and an officer of each province."""
    k_project = make_project(title="Projet de Khénifra")
    m_project = make_project(title="Projet de Midelt", commune=midelt_commune())
    return {
        "k_project": k_project,
        "m_project": m_project,
        "k_holder": k_project.holder,
        "m_holder": m_project.holder,
        "k_officer": make_staff("officer-khenifra", khenifra()),
        "m_officer": make_staff("officer-midelt", midelt()),
    }


__all__ = [
    "ANALYST",
    "DATA_ENTRY_OFFICER",
    "PASSWORD",
    "VALIDATOR",
    "khenifra",
    "make_holder",
    "make_project",
    "make_staff",
    "midelt",
    "midelt_commune",
    "two_provinces",
]
