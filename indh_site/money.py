"""Writing amounts of dirhams the way officials read them.

Moroccan documents write decimals with a comma and group thousands with a space
(in French and in Arabic); English readers expect "1,250,000.00". These helpers
never go through float.

The space is a no-break space, never U+0020: the bidirectional algorithm keeps digits
joined by a no-break space (a "common separator") in one number, where a plain space
splits it and shows ``1 250 000,50`` as ``000,50 250 1`` inside Arabic text. Names and
codes written in Latin letters inside an Arabic sentence are isolated (isolate()) so
that a number after them stays in its place.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
MILLION = Decimal(1_000_000)
NBSP = "\u00a0"
# FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: plain text's <bdi>.
FSI, PDI = "\u2068", "\u2069"
# How import hints and help texts show a number: 1 250 000,50 with no-break spaces.
EXAMPLE_AMOUNT = f"1{NBSP}250{NBSP}000,50"


def isolate(text):
    """``text`` (a file name, a code, a Latin name) isolated for plain text inside any sentence."""
    return f"{FSI}{text}{PDI}"


def join_items(items):
    """Items of a list as the language writes them: ``a, b`` / ``أ، ب`` (the Arabic comma)."""
    return _(", ").join(str(item) for item in items)


def _separators(language):
    if (language or "fr")[:2] == "en":
        return ",", "."
    return NBSP, ","


def format_number(value, decimals=2, language=None):
    """Group thousands and write the decimal separator of the language; exact for Decimal."""
    if value is None:
        return ""
    thousands, decimal_point = _separators(language or get_language())
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    value = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    if not value:
        value = value.copy_abs()  # "0,00", never "-0,00"
    # Python groups a Decimal exactly ("1,234,567.50", no float); the language's separators follow.
    text = f"{value:,f}"
    if (thousands, decimal_point) == (",", "."):
        return text
    return text.translate({ord(","): thousands, ord("."): decimal_point})


def format_mad(value, language=None):
    """An amount in dirhams: ``1 250 000,00 MAD`` / ``1 250 000,00 درهم`` / ``MAD 1,250,000.00``."""
    if value is None:
        return ""
    return _("%(amount)s MAD") % {"amount": format_number(value, 2, language)}


def to_millions(value):
    return (Decimal(value) / MILLION).quantize(CENT, rounding=ROUND_HALF_UP)


def format_mdh(value, language=None):
    """An amount in millions of dirhams: ``89,42 MDH`` / ``89,42 مليون درهم`` / ``MAD 89.42 million``."""
    if value is None:
        return ""
    return _("%(amount)s MDH") % {"amount": format_number(to_millions(value), 2, language)}
