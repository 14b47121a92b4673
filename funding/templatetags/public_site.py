"""Template tags of the public site's pages (base.html and the dashboard)."""

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from funding import queries
from indh_site.language import page_path
from indh_site.money import format_mad, format_mdh, format_number

register = template.Library()


@register.simple_tag
def has_demo_data():
    """Whether demo projects are in the database: the public must not take them for real figures."""
    return queries.has_demo_projects()


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in each language: the same path and query under another prefix (switcher, hreflang).

    Plain links, the same for every visitor: a kept page holds nothing of one visitor's.
    """
    request = context.get("request")
    if request is None:
        return []
    query = request.META.get("QUERY_STRING", "")
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        href = page_path(request, code, query)
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "href": href,
                "url": request.build_absolute_uri(href),
                "current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def negotiated_url(context):
    """The page's unprefixed address, which redirects to the reader's language (hreflang x-default)."""
    request = context.get("request")
    if request is None:
        return ""
    return request.build_absolute_uri(page_path(request, None, request.META.get("QUERY_STRING", "")))


@register.inclusion_tag("_last_updated.html")
def last_updated():
    """When the data last changed, in Morocco's time: dd/mm/yyyy HH:MM (nothing before any change)."""
    changed = queries.last_updated()
    if changed is None:
        return {"changed": None}
    local = timezone.localtime(changed, timezone.get_default_timezone())
    return {
        "changed": local,
        # A no-break space: a plain one lets a right-to-left line put the time before the date.
        "text": local.strftime("%d/%m/%Y\u00a0%H:%M"),
        "iso": local.isoformat(timespec="seconds"),
    }


@register.filter
def mdh(value):
    """Millions of dirhams: ``89,42 MDH`` / ``89,42 مليون درهم`` / ``MAD 89.42 million``."""
    return format_mdh(value or 0)


@register.filter
def mad(value):
    """Dirhams: ``1 250 000,00 MAD`` / ``MAD 1,250,000.00``."""
    return format_mad(value)


@register.filter
def percent(value):
    """A share in percent, one decimal: ``12.5%`` / ``12,5 %`` (no-break space, never a plain one)."""
    return _("%(number)s%%") % {"number": format_number(value, 1)}
