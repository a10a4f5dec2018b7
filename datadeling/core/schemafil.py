"""The published JSON Schema files (MOX messages, the citizen's download): each is generated
from a Python description and written as stable, readable JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def som_tekst(schema: dict[str, Any]) -> str:
    """Return a schema as the text of its file (indented, UTF-8 as is, final newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def skriv(sti: Path, schema: dict[str, Any]) -> None:
    """Write a schema's file anew and say so."""
    sti.write_text(som_tekst(schema), encoding="utf-8")
    sys.stdout.write(f"skrev {sti}\n")
