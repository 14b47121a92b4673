"""Arabic: Moroccan dates; numbers grouped and separated as indh_site.money writes amounts."""

# Django reads a format module's attributes: the shared date formats, then this language's numbers.
from indh_site.formats.moroccan import *  # noqa: F403

DECIMAL_SEPARATOR = ","
# Django's Arabic groups with "."; a no-break space, as money.py does, keeps the digits in order in RTL.
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
