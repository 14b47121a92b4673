"""The public directory of supported holders: who received INDH support, where, for what.

Only public fields are ever read into these pages' context: never phone, e-mail,
registration number or notes.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from cooperatives.filters import HolderFilter
from cooperatives.models import Holder
from funding.charts import with_params
from funding.models import ProjectStatus
from funding.views import in_requested_language, requested_language

PAGE_SIZE = 50
# As on the dashboard and in the API, cancelled projects are not support received.
SUPPORTED = ~Q(projects__status=ProjectStatus.CANCELLED)
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
    """Holders with at least one project that is not cancelled, with their project count and amounts."""
    return (
        Holder.objects.select_related("commune__province", "main_sector")
        .only(*PUBLIC_HOLDER_FIELDS)
        .annotate(
            project_count=Count("projects", filter=SUPPORTED),
            total_cost=Sum("projects__total_cost", filter=SUPPORTED),
            indh_contribution=Sum("projects__indh_contribution", filter=SUPPORTED),
        )
        .filter(project_count__gt=0)
    )


@require_safe
@in_requested_language
def holder_list(request):
    filterset = HolderFilter(request.GET, queryset=supported_holders().order_by("name", "pk"))
    context = {"filterset": filterset, "form": filterset.form, "lang_param": requested_language(request)}
    if not filterset.is_valid():
        return render(request, "cooperatives/holder_list.html", context, status=400)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        {
            "page": page,
            "previous_href": with_params(request.GET, page=page.previous_page_number())
            if page.has_previous()
            else None,
            "next_href": with_params(request.GET, page=page.next_page_number()) if page.has_next() else None,
            "filtered": any(value for value in filterset.form.cleaned_data.values()),
        }
    )
    return render(request, "cooperatives/holder_list.html", context)


@require_safe
@in_requested_language
def holder_detail(request, pk):
    holder = get_object_or_404(supported_holders(), pk=pk)
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
    return render(request, "cooperatives/holder_detail.html", {"holder": holder, "projects": projects})
