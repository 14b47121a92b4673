"""The public directory of supported holders: who received INDH support, where, for what.

Only public fields are ever read into these pages' context: never phone, e-mail,
registration number or notes.
"""

from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cooperatives.filters import HolderFilter
from cooperatives.models import Holder
from funding.charts import with_params
from funding.filters import choice_groups
from funding.models import Project, ProjectStatus
from funding.queries import MONEY_SUM, resolve_language
from indh_site.public_cache import cached_public_answer

PAGE_SIZE = 50
# The checkbox filters of the directory, provinces before communes (the commune list may depend on them).
CHOICE_FILTERS = ("holder_type", "sector", "province", "commune")
# As on the dashboard and in the API, cancelled projects are not support received.
SUPPORTED = ~Q(status=ProjectStatus.CANCELLED)
PUBLIC_HOLDER_FIELDS = (
    "id",
    "name",
    "holder_type",
    "commune",
    "commune__province",
    "main_sector",
    "commune__code",
    "commune__name_fr",
    "commune__name_ar",
    "commune__name_en",
    "commune__province__code",
    "commune__province__name_fr",
    "commune__province__name_ar",
    "commune__province__name_en",
    "main_sector__code",
    "main_sector__name_fr",
    "main_sector__name_ar",
    "main_sector__name_en",
)


def supported_holders():
    """Holders with at least one project that is not cancelled (an EXISTS through the holder index).

    Their figures come from with_figures(), for the holders shown only: grouping every holder with
    its projects would sum the whole projects table for each page (seconds at national scale).
    """
    supported = Project.objects.filter(SUPPORTED, holder=OuterRef("pk"))
    return (
        Holder.objects.select_related("commune__province", "main_sector")
        .only(*PUBLIC_HOLDER_FIELDS)
        .filter(Exists(supported))
    )


def with_figures(holders):
    """Set project_count, total_cost and indh_contribution on ``holders``, in one grouped query."""
    holders = list(holders)
    figures = {
        row["holder"]: row
        for row in Project.objects.filter(SUPPORTED, holder__in=[holder.pk for holder in holders])
        .order_by()
        .values("holder")
        .annotate(
            project_count=Count("pk"),
            total_cost=Sum("total_cost", output_field=MONEY_SUM),
            indh_contribution=Sum("indh_contribution", output_field=MONEY_SUM),
        )
    }
    for holder in holders:
        row = figures.get(holder.pk, {})
        holder.project_count = row.get("project_count", 0)
        holder.total_cost = row.get("total_cost") or Decimal("0.00")
        holder.indh_contribution = row.get("indh_contribution") or Decimal("0.00")
    return holders


@require_safe
@cached_public_answer()
def holder_list(request):
    filterset = HolderFilter(request.GET, queryset=supported_holders().order_by("name", "pk"))
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "choice_groups": choice_groups(filterset.form, CHOICE_FILTERS),
    }
    if not filterset.is_valid():
        return render(request, "cooperatives/holder_list.html", context, status=400)
    filtered = any(value for value in filterset.form.cleaned_data.values())
    search = (filterset.form.cleaned_data.get("q") or "").strip()
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    if not filtered:
        # Every supported holder: the dashboard's "Holders" figure, already summed (and cached),
        # where counting them again would read the projects of every holder (~0.4 s nationally).
        paginator.count = Project.objects.summary({})["totals"]["holders"]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = with_figures(page.object_list)
    context.update(
        {
            "page": page,
            "previous_href": with_params(request.GET, page=page.previous_page_number())
            if page.has_previous()
            else None,
            "next_href": with_params(request.GET, page=page.next_page_number()) if page.has_next() else None,
            "filtered": filtered,
            # An empty result names the words searched and offers the same filters without them.
            "search": search,
            "clear_search_href": with_params(request.GET, q=None) if search else None,
        }
    )
    return render(request, "cooperatives/holder_list.html", context)


@require_safe
@cached_public_answer()
def holder_detail(request, pk):
    holder = with_figures([get_object_or_404(supported_holders(), pk=pk)])[0]
    projects = (
        holder.projects.exclude(status=ProjectStatus.CANCELLED)
        .select_related("sector", "programme", "commune")
        .only(
            "code",
            "title",
            "year",
            "status",
            "total_cost",
            "indh_contribution",
            "partner_contribution",
            "holder_contribution",
            "jobs_created",
            "agreement_signed_on",
            "holder",
            "sector",
            "programme",
            "commune",
            "sector__code",
            "sector__name_fr",
            "sector__name_ar",
            "sector__name_en",
            "programme__code",
            "programme__name_fr",
            "programme__name_ar",
            "programme__name_en",
            "commune__code",
            "commune__name_fr",
            "commune__name_ar",
            "commune__name_en",
        )
        .order_by("year", "code")
    )
    return render(
        request,
        "cooperatives/holder_detail.html",
        {"holder": holder, "projects": projects, "downloads": _holder_downloads(holder)},
    )


def _holder_downloads(holder):
    """The holder's projects (those listed: not cancelled) as files, headers in the reader's language."""
    url = reverse("api:projects")

    def link(fmt):
        return url + with_params(
            None, holder=holder.pk, format=fmt, lang=resolve_language(), headers="labels"
        )

    return [
        {"label": _("Projects (CSV)"), "href": link("csv")},
        {"label": _("Projects (Excel)"), "href": link("xlsx")},
    ]
