"""Money in templates, formatted for the reader's locale.

    {% load money %}
    {{ deal.amount|money:deal.currency }}     → "1,234.56 EUR" (en), "1 234,56 EUR" (sv),
                                                 "1.234,56 EUR" (da, nl)
    {{ total|money:workspace.currency }}
    {{ value|money }}                         → the number alone, two decimals

The separators come from the active language's Django format module (LocaleMiddleware sets it
per request), so the same amount reads naturally in English, Danish, Norwegian, Swedish and
Dutch. The number of decimals follows the currency's ISO 4217 minor unit (JPY 0, KWD 3, most 2).
A missing amount renders as an em dash, not as "0.00", so "no data" and "zero" stay distinct.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()

NO_AMOUNT = "—"
NBSP = "\u00a0"

# ISO 4217 currencies whose minor unit is not 2 (the list changes rarely; see the standard).
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        (
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
            "VND", "VUV", "XAF", "XOF", "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}  # fmt: skip


def minor_units(currency: str) -> int:
    """Decimals shown for `currency` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency.strip().upper(), 2)


def format_money(amount: Any, currency: str = "") -> str:
    """`amount` with the active locale's separators, followed by the ISO code when given."""
    if amount is None or amount == "":
        return NO_AMOUNT
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if not value.is_finite():
        return ""
    code = (currency or "").strip().upper()
    places = minor_units(code)
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)  # no "-0.00"
    text = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text}{NBSP}{code}" if code else text


@register.filter(name="money")
def money(amount: Any, currency: str | None = "") -> str:
    """Template filter: `{{ amount|money:"EUR" }}`."""
    return format_money(amount, currency or "")
