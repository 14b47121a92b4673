"""Template tags of the public site's pages (base.html and the dashboard)."""

from django import template
from django.utils.translation import gettext as _

from funding import queries
from indh_site.money import format_mad, format_mdh, format_number

register = template.Library()


@register.simple_tag
def has_demo_data():
    """Whether demo projects are in the database: the public must not take them for real figures."""
    return queries.has_demo_projects()


@register.simple_tag(takes_context=True)
def path_without_lang(context):
    """The current address without ``?lang=``, for the language switcher to go back to.

    A ``lang`` in the address would otherwise win over the language just chosen.
    """
    request = context.get("request")
    if request is None:
        return "/"
    query = request.GET.copy()
    query.pop("lang", None)
    encoded = query.urlencode()
    return request.path + (f"?{encoded}" if encoded else "")


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
