"""Logging that never lets a CPR number through.

Every handler gets `CprMaskFilter`: ten digits that could be a CPR number (with or
without the dash) are replaced before the record is formatted, whatever logged it.
"""

from __future__ import annotations

import logging
import re

# Ten digits (optionally DDMMYY-SSSS) not inside a longer run of digits or hex letters, so
# the digits inside a UUID are left alone.
CPR_PATTERN = re.compile(r"(?<![0-9A-Fa-f])(\d{6})-?(\d{4})(?![0-9A-Fa-f])")
MASK = "******-****"


def mask_cpr(text: str) -> str:
    """Return text with every CPR-like number replaced by a mask."""
    return CPR_PATTERN.sub(MASK, text)


class CprMaskFilter(logging.Filter):
    """Rewrite a record's message (arguments included) with CPR numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        masked = mask_cpr(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_cpr(record.exc_text)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True
