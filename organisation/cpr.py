"""CPR numbers: validation and safe display.

A CPR number is DDMMYY-SSSS. The seventh digit together with the year gives the century
(CPR-kontoret's table), so the birth date can be checked as a real date. The modulus-11
check is not applied: it has not held for all numbers since 2007.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CPR_INPUT = re.compile(r"^\s*(\d{6})\s*-?\s*(\d{4})\s*$")


def normalize_cpr(value: str) -> str:
    """Return the ten digits of a CPR number written with or without a dash."""
    match = CPR_INPUT.match(value or "")
    if not match:
        raise ValidationError(
            _("Et CPR-nummer består af 10 cifre, fx 010190-1234 eller 0101901234."),
            code="cpr_format",
        )
    return match.group(1) + match.group(2)


def birth_century(yy: int, seventh: int) -> int:
    """Return the century (1800, 1900 or 2000) a CPR number's birth year belongs to."""
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800  # 5, 6, 7, 8


def cpr_birth_date(cpr: str) -> datetime.date:
    """Return the birth date a valid ten-digit CPR number encodes."""
    day, month, yy, seventh = int(cpr[0:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    year = birth_century(yy, seventh) + yy
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("CPR-nummeret begynder ikke med en gyldig fødselsdato (DDMMÅÅ)."),
            code="cpr_dato",
        ) from None


def validate_cpr(value: str) -> None:
    """Refuse anything that is not ten digits starting with a real birth date."""
    if not re.fullmatch(r"\d{10}", value or ""):
        raise ValidationError(
            _("Et CPR-nummer består af præcis 10 cifre uden bindestreg."), code="cpr_format"
        )
    cpr_birth_date(value)


def mask_cpr(cpr: str) -> str:
    """Return the CPR number with the last four digits hidden, for display."""
    return f"{cpr[:6]}-****" if cpr and len(cpr) == 10 else ""
