import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from organisation.cpr import birth_century, cpr_birth_date, mask_cpr, normalize_cpr, validate_cpr


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        ("0101901234", datetime.date(1990, 1, 1)),  # 7th digit 0-3: 1900s
        ("2902004321", datetime.date(2000, 2, 29)),  # 4 with yy<=36: 2000s, leap day
        ("2902004321"[:6] + "9321", datetime.date(2000, 2, 29)),
        ("0101404321", datetime.date(1940, 1, 1)),  # 4 with yy>36: 1900s
        ("0101575321", datetime.date(2057, 1, 1)),  # 5-8 with yy<=57: 2000s
        ("0101585321", datetime.date(1858, 1, 1)),  # 5-8 with yy>=58: 1800s
        ("3112999999", datetime.date(1999, 12, 31)),  # 9 with yy>36: 1900s
    ],
)
def test_birth_date_follows_the_century_rule(cpr, born):
    validate_cpr(cpr)
    assert cpr_birth_date(cpr) == born


@pytest.mark.parametrize(
    "cpr",
    [
        "3202901234",  # day 32
        "0013901234",  # month 13
        "0000901234",  # day 0
        "2902011234",  # 29 Feb 1901 does not exist
        "2902000123",  # 1900 was no leap year (7th digit 0)
        "3104901234",  # 31 April
    ],
)
def test_impossible_dates_are_refused_in_danish(cpr):
    with pytest.raises(ValidationError) as exc:
        validate_cpr(cpr)
    assert exc.value.code == "cpr_dato"
    assert "gyldig fødselsdato" in exc.value.messages[0]
    assert cpr not in exc.value.messages[0]


@pytest.mark.parametrize(
    "cpr", ["", "123", "01019012345", "010190-1234", "01019O1234", "abcdefghij"]
)
def test_wrong_formats_are_refused_in_danish(cpr):
    with pytest.raises(ValidationError) as exc:
        validate_cpr(cpr)
    assert exc.value.code == "cpr_format"
    assert "10 cifre" in exc.value.messages[0]


def test_normalize_accepts_dash_and_spaces():
    assert normalize_cpr(" 010190-1234 ") == "0101901234"
    assert normalize_cpr("0101901234") == "0101901234"
    with pytest.raises(ValidationError):
        normalize_cpr("01-01-90-1234")


def test_mask_hides_the_serial():
    assert mask_cpr("0101901234") == "010190-****"


@given(
    st.dates(min_value=datetime.date(1858, 1, 1), max_value=datetime.date(2057, 12, 31)),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=0, max_value=999),
)
def test_every_real_birth_date_round_trips(born, seventh, serial):
    """For any birth date, a seventh digit whose century fits gives back the same date."""
    yy = born.year % 100
    if birth_century(yy, seventh) + yy != born.year:
        return
    cpr = f"{born:%d%m}{yy:02d}{seventh}{serial:03d}"
    validate_cpr(cpr)
    assert cpr_birth_date(cpr) == born
