"""The dashboard's map (funding/maps.py), drawn by templates/funding/_map.html from the page's summary."""

from django import template

from funding import maps, queries

register = template.Library()


@register.simple_tag(takes_context=True)
def commune_map(context):
    """The map of the page's summary, or None on a page without one."""
    request, summary = context.get("request"), context.get("summary")
    if request is None or not summary:
        return None
    return maps.territory_map(summary, request.GET, lang=queries.resolve_language())
