"""Amounts are written the way officials read them, exactly, in each language."""

from decimal import Decimal

import pytest

from indh_site.money import format_mad, format_mdh, format_number

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "language", "expected"),
    [
        (Decimal("1250000"), 2, "fr", f"1{NBSP}250{NBSP}000,00"),
        (Decimal("1250000"), 2, "ar", f"1{NBSP}250{NBSP}000,00"),
        (Decimal("1250000"), 2, "en", "1,250,000.00"),
        (Decimal("0.005"), 2, "fr", "0,01"),  # half up, as on paper
        (Decimal("2.345"), 2, "en", "2.35"),
        (Decimal("-1234.5"), 2, "en", "-1,234.50"),
        (Decimal("-0.004"), 2, "fr", "0,00"),  # never "-0,00"
        (1234, 0, "fr", f"1{NBSP}234"),
        (0, 0, "en", "0"),
        # Beyond a float's 15–16 digits: still exact to the centime.
        (Decimal("12345678901234.56"), 2, "en", "12,345,678,901,234.56"),
    ],
)
def test_numbers_are_grouped_and_rounded_exactly(value, decimals, language, expected):
    assert format_number(value, decimals, language) == expected


def test_amounts_in_dirhams_and_millions_follow_the_language():
    from django.utils import translation

    with translation.override("fr"):
        assert format_mad(Decimal("89420000")) == f"89{NBSP}420{NBSP}000,00 MAD"
        assert format_mdh(Decimal("89420000")) == "89,42 MDH"
    with translation.override("en"):
        assert format_mdh(Decimal("2230000")) == "MAD 2.23 million"
    assert format_number(None) == ""
