"""The admin pieces for national scale find what Django's own would, more cheaply."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory

from cooperatives.models import Commune, Province, ProvinceAssignment
from funding.admin import ProjectAdmin
from funding.admin_scale import CommuneListFilter, IndexedSearchMixin, ProjectYearListFilter
from funding.models import Project

pytestmark = pytest.mark.django_db


class DjangoSearchProjectAdmin(ProjectAdmin):
    """The projects' admin with Django's own search: what the indexed search must find."""

    def get_search_results(self, request, queryset, search_term):
        return super(IndexedSearchMixin, self).get_search_results(request, queryset, search_term)


@pytest.fixture
def country(demo_data):
    call_command(
        "generate_dataset",
        "--projects=800",
        "--provinces=3",
        "--communes-per-province=4",
        "--allow-real-data",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


def request_for(user, **params):
    request = RequestFactory().get("/admin/funding/project/", params)
    request.user = user
    return request


def test_the_indexed_search_finds_what_djangos_search_finds(country, staff_user):
    django_search = DjangoSearchProjectAdmin(Project, admin.site)
    indexed_search = ProjectAdmin(Project, admin.site)
    some = Project.objects.filter(code__startswith="SYN-").select_related("holder").order_by("code")[17]
    registered = (
        Project.objects.filter(holder__registration_number__isnull=False).select_related("holder").first()
    )
    terms = [
        some.code,  # a code, whole
        some.code[4:12].lower(),  # part of many codes, any case
        "tissage",  # a word of titles
        some.holder.name,  # a holder, several words
        f'"{some.holder.name}"',  # the same, quoted
        registered.holder.registration_number,  # the exact registration number
        "Coopérative atlas",  # two words, each in some field
        "no such thing anywhere",
    ]
    request = request_for(staff_user)
    for term in terms:
        expected, _ = django_search.get_search_results(request, Project.objects.all(), term)
        found, duplicates = indexed_search.get_search_results(request, Project.objects.all(), term)
        assert set(found.values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True)), term
        assert not duplicates
    assert indexed_search.get_search_results(request, Project.objects.all(), some.code)[0].get() == some


def test_the_year_filter_lists_the_years_with_projects(country, staff_user, django_user_model):
    model_admin = ProjectAdmin(Project, admin.site)
    request = request_for(staff_user)
    years = ProjectYearListFilter(request, {}, Project, model_admin).lookups(request, model_admin)
    assert [int(year) for year, _label in years] == sorted(
        set(Project.objects.values_list("year", flat=True))
    )

    # An official of one province sees that province's years only.
    official = django_user_model.objects.create_user(username="agent", password="x", is_staff=True)
    province = Province.objects.get(code="marrakech")
    ProvinceAssignment.objects.create(user=official, province=province)
    request = request_for(official)
    years = ProjectYearListFilter(request, {}, Project, model_admin).lookups(request, model_admin)
    in_province = Project.objects.filter(commune__province=province).values_list("year", flat=True)
    assert [int(year) for year, _label in years] == sorted(set(in_province))


def test_the_year_filter_filters_and_shrugs_off_a_bad_value(country, staff_user):
    model_admin = ProjectAdmin(Project, admin.site)
    request = request_for(staff_user, year="2024")
    year_filter = ProjectYearListFilter(request, {"year": ["2024"]}, Project, model_admin)
    assert set(year_filter.queryset(request, Project.objects.all())) == set(Project.objects.filter(year=2024))
    request = request_for(staff_user, year="twenty")
    year_filter = ProjectYearListFilter(request, {"year": ["twenty"]}, Project, model_admin)
    assert not year_filter.queryset(request, Project.objects.all()).exists()


def test_the_commune_filter_waits_for_a_province(country, staff_user):
    model_admin = ProjectAdmin(Project, admin.site)
    field = Project._meta.get_field("commune")

    def choices(**params):
        request = request_for(staff_user, **params)
        lists = {name: [value] for name, value in params.items()}
        commune_filter = CommuneListFilter(field, request, lists, Project, model_admin, "commune")
        return {pk for pk, _label in commune_filter.lookup_choices}

    assert choices() == set()
    province = Province.objects.get(code="tanger-assilah")
    assert choices(commune__province__id__exact=str(province.pk)) == set(
        Commune.objects.filter(province=province).values_list("pk", flat=True)
    )
    khenifra = Commune.objects.get(code="khenifra")
    assert choices(commune__id__exact=str(khenifra.pk)) == {khenifra.pk}
