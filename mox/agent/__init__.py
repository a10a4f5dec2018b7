"""Datadeling's reference MOX agent: sends a fagsystem's export to Datadeling and receives
Datadeling's notifications.

Standalone on purpose: this package uses the Python 3.11 standard library only and imports
nothing from Django or the rest of Datadeling, so a municipality can run it on the server
next to its fagsystem. Copy `mox/__init__.py` and `mox/agent/` (or the whole checkout) and
run `python3 -m mox.agent --help`. The modules import each other relatively, so the folder
also runs on its own as `python3 -m agent` after `cp -r mox/agent ./agent`.

Subcommands (see `cli.py`):
  send    read an export folder (*.json, *.jsonl, *.csv in name order), turn rows into
          MOX messages, sign and POST them in batches; resume where it stopped
  status  ask Datadeling for the status of messages
  modtag  a small HTTP server that receives signed notifications from Datadeling

The signing scheme is the one `mox/auth.py` verifies: HMAC-SHA256 with the system's secret
over "<unix seconds>.<raw body>", sent as `X-Mox-Signatur: sha256=<hex>` with
`X-Mox-Tidspunkt` and `Authorization: Bearer <token>`. The agent never prints a CPR number.
"""

VERSION = "1.0"
