"""English: Moroccan dates (day first, unlike Django's English); numbers as indh_site.money writes them."""

# Django reads a format module's attributes: the shared date formats, then this language's numbers.
from indh_site.formats.moroccan import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
