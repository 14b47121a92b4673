"""The public register: every project the figures count, a page of its own for each.

/projects/ lists the projects under exactly the dashboard's filters (the same FilterSet and
parameters), with a search, a sort and pages; /projects/<code>/ and /api/v1/projects/<code> show one
project: who carries it, where, its funding plan, what INDH has disbursed so far.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from cooperatives.models import Holder, HolderType
from funding import charts, queries
from funding.filters import ProjectFilter, choice_groups
from funding.models import Disbursement, PartnerContribution, Project, ProjectStatus
from funding.views import form_errors
from indh_site.public_cache import cached_public_answer

PAGE_SIZE = 50
HUNDRED = Decimal(100)
PERCENT = Decimal("0.1")
# The orders a reader may choose; each ends on the code, so a page never shuffles between requests.
SORTS = {
    "newest": ("-year", "code"),
    "oldest": ("year", "code"),
    "code": ("code",),
    "cost": ("-total_cost", "code"),
    "indh": ("-indh_contribution", "code"),
}
SORT_LABELS = {
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "code": _("Project code"),
    "cost": _("Largest total cost"),
    "indh": _("Largest INDH contribution"),
}
DEFAULT_SORT = "newest"


class RegisterOptionsForm(forms.Form):
    """The register's own parameters (the filters are ProjectFilter's): search, order, page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=list(SORT_LABELS.items()))
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def clean_q(self):
        text = self.cleaned_data["q"]
        if "\x00" in text:
            raise ValidationError(_("The search cannot contain a NUL character."))
        return text


def search_projects(queryset, text):
    """Projects whose code, title or holder's name contains ``text``, case-blind."""
    if not text:
        return queryset
    holders = Holder.objects.filter(name__icontains=text).values("pk")
    return queryset.filter(Q(code__icontains=text) | Q(title__icontains=text) | Q(holder__in=holders))


def percent(part, whole):
    """``part`` as a percentage of ``whole``, one decimal, half up; None when ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


def project_record(code, *, lang):
    """Everything the public may see of one project, as plain values (Decimal amounts); Http404 if unknown."""
    try:
        project = Project.objects.select_related("holder", "sector", "commune__province", "programme").get(
            code=code
        )
    except Project.DoesNotExist:
        raise Http404 from None
    with translation.override(lang):
        lines = PartnerContribution.objects.filter(project=project).select_related("partner")
        partners = [
            {
                "key": "partner",
                "partner": line.partner.code,
                "label": line.partner.label,
                "amount": line.amount,
            }
            for line in lines
        ]
        disbursements = list(
            Disbursement.objects.filter(project=project)
            .values("released_on", "amount")
            .order_by("released_on")
        )
        disbursed = sum((line["amount"] for line in disbursements), Decimal("0.00"))
        total = project.total_cost
        # The partners' share as the workbook gives it; the lines name who pays what of it, and what
        # they leave unnamed is shown as such rather than dropped.
        unnamed = project.partner_contribution - sum((line["amount"] for line in partners), Decimal("0.00"))
        plan = [
            {"key": "indh_contribution", "label": _("INDH"), "amount": project.indh_contribution},
            *[
                {
                    "key": "partner",
                    "label": line["label"],
                    "amount": line["amount"],
                    "partner": line["partner"],
                }
                for line in partners
            ],
            *(
                [{"key": "partner", "label": _("Partners (not named)"), "amount": unnamed, "partner": None}]
                if unnamed > 0
                else []
            ),
            {"key": "holder_contribution", "label": _("The holder"), "amount": project.holder_contribution},
        ]
        for share in plan:
            share["percent"] = percent(share["amount"], total)
        return {
            "code": project.code,
            "title": project.title,
            "holder": {
                "id": project.holder_id,
                "name": project.holder.name,
                "type": project.holder.holder_type,
                "type_label": str(HolderType(project.holder.holder_type).label),
            },
            "commune": {"code": project.commune.code, "label": project.commune.label},
            "province": {"code": project.commune.province.code, "label": project.commune.province.label},
            "sector": {"code": project.sector.code, "label": project.sector.label},
            "programme": {"code": project.programme.code, "label": project.programme.label},
            "year": project.year,
            "status": project.status,
            "status_label": str(ProjectStatus(project.status).label),
            "cancelled": project.status == ProjectStatus.CANCELLED,
            "agreement_signed_on": project.agreement_signed_on,
            "total_cost": project.total_cost,
            "indh_contribution": project.indh_contribution,
            "partner_contribution": project.partner_contribution,
            "holder_contribution": project.holder_contribution,
            "funding_plan": plan,
            "disbursements": disbursements,
            "disbursed": disbursed,
            "disbursed_percent": percent(disbursed, project.indh_contribution),
            "jobs": project.jobs_created,
            "last_changed": _last_changed(project),
        }


def _last_changed(project):
    """The latest change to the project, its partner lines or its disbursements (from the audit trail)."""
    times = [project.updated_at]
    for model in (PartnerContribution, Disbursement):
        latest = model.history.filter(project_id=project.pk).aggregate(latest=Max("history_date"))["latest"]
        if latest:
            times.append(latest)
    return timezone.localtime(max(times))


@require_safe
@cached_public_answer()
def project_list(request):
    filterset = ProjectFilter(request.GET, queryset=Project.objects.all())
    options = RegisterOptionsForm(request.GET)
    filters_valid = filterset.is_valid()
    options_valid = options.is_valid()
    context = {
        "form": filterset.form,
        "options": options,
        "year_fields": [filterset.form[name] for name in queries.SINGLE_VALUED_FILTERS],
        "choice_groups": choice_groups(filterset.form),
        "errors": form_errors(filterset.form) + form_errors(options),
        "sort_choices": list(SORT_LABELS.items()),
    }
    if not (filters_valid and options_valid):
        return render(request, "funding/project_list.html", context, status=400)

    lang = queries.resolve_language()
    cleaned = filterset.form.cleaned_data
    text = options.cleaned_data["q"]
    sort = options.cleaned_data["sort"] or DEFAULT_SORT
    rows = search_projects(queries.project_list(cleaned, lang=lang), text).order_by(*SORTS[sort])
    paginator = Paginator(rows, PAGE_SIZE)
    if not text:
        # The summary's count for these filters, already summed and cached: counting again would read
        # every matching project.
        paginator.count = Project.objects.summary(cleaned, lang=lang)["totals"]["projects"]
    number = options.cleaned_data["page"] or 1
    if paginator.count and number > paginator.num_pages:
        raise Http404
    page = paginator.page(number)
    params = request.GET
    context.update(
        {
            "page": page,
            "projects": list(queries.public_rows(page.object_list, lang=lang)),
            "text": text,
            "sort": sort,
            "previous_href": charts.with_params(params, page=page.previous_page_number())
            if page.has_previous()
            else None,
            "next_href": charts.with_params(params, page=page.next_page_number())
            if page.has_next()
            else None,
            "downloads": _downloads(params, lang),
            "dashboard_href": reverse("funding:dashboard") + charts.with_params(params, q=None, sort=None),
        }
    )
    return render(request, "funding/project_list.html", context)


def _downloads(params, lang):
    """The files of what the page lists: the same filters and search, headers in the reader's language."""
    url = reverse("api:projects")

    def link(fmt):
        return url + charts.with_params(params, format=fmt, lang=lang, headers="labels", page=None, sort=None)

    return [
        {"label": _("Projects (CSV)"), "href": link("csv")},
        {"label": _("Projects (Excel)"), "href": link("xlsx")},
    ]


@require_safe
@cached_public_answer()
def project_detail(request, code):
    record = project_record(code, lang=queries.resolve_language())
    return render(request, "funding/project_detail.html", {"project": record})
