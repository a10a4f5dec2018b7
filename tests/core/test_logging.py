import subprocess
import sys
from pathlib import Path

import pytest

from datadeling.core.logging import mask_cpr

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text", ["cpr 0101901234 here", "cpr 010190-1234", "x=0101901234;", "[0101901234]"]
)
def test_mask_cpr_removes_cpr_numbers(text):
    masked = mask_cpr(text)
    assert "0101901234" not in masked and "010190-1234" not in masked
    assert "******-****" in masked


def test_uuids_are_left_alone():
    text = "GET /borgere/8ce73aeb-f2ed-4004-9b63-9b2603944266/"
    assert mask_cpr(text) == text


def test_longer_numbers_are_left_alone():
    assert mask_cpr("order 123456789012") == "order 123456789012"


def test_configured_logging_masks_cpr_in_messages_and_tracebacks():
    """With the project's LOGGING, a CPR in a message, its args or a traceback never prints."""
    code = (
        "import logging\n"
        "log = logging.getLogger('datadeling.test')\n"
        "log.warning('borger %s mangler', '0101901234')\n"
        "try:\n"
        "    raise ValueError('forkert cpr 010190-1234')\n"
        "except ValueError:\n"
        "    log.exception('fejl')\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert "mangler" in output and "ValueError" in output, output
    assert "0101901234" not in output and "010190-1234" not in output
    assert output.count("******-****") >= 2
