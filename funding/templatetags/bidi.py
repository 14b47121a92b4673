"""Isolating a file name, a code or a Latin name inside a sentence of any direction."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bdi(value):
    """``<bdi>value</bdi>`` (escaped): a number next to it keeps its place in an Arabic sentence.

    For a value given to ``{% blocktranslate with %}``, whose text is translated as a whole.
    """
    return format_html("<bdi>{}</bdi>", value)
