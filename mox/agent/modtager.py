"""Receive Datadeling's notifications: a small HTTP server for the fagsystem's inbox.

Datadeling POSTs a JSON envelope (beskedtype "Notification"), or {"beskeder": [...]}, to
the system's webhook URL, signed like the ingress: `X-Mox-Tidspunkt` (unix seconds, within
5 minutes of this server's clock) and `X-Mox-Signatur: sha256=<HMAC-SHA256 of
"<tidspunkt>.<raw body>" with the system's secret>`.

Answers: 204 when the signature holds and the body is JSON (each envelope is then written
as one JSON line to the inbox: a file, appended and flushed, or stdout); 401 for a missing,
stale or wrong signature (nothing written); 400 for a body that is not a JSON object;
413 for a body over 16 MB; 405 for anything but POST. A beskedID received again within the
last 10,000 is answered 204 and not written twice (Datadeling retries until it gets 2xx).

The inbox holds what Datadeling sent, CPR numbers included (the fagsystem needs them); the
server's own log lines on stderr never show a body and mask anything CPR-like.
"""

from __future__ import annotations

import collections
import json
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

from . import sikkerhed

HUSK = 10_000


class Indbakke:
    """Where received envelopes go: one JSON line each, written under a lock."""

    def __init__(self, sti: Path | None, ud: TextIO | None = None):
        self.sti = sti
        self.ud = ud if ud is not None else sys.stdout
        self._laas = threading.Lock()
        self._set: collections.OrderedDict[str, None] = collections.OrderedDict()

    def skriv(self, beskeder: list[dict]) -> int:
        """Write the envelopes not seen before; return how many were written."""
        with self._laas:
            nye = []
            for besked in beskeder:
                noegle = str(besked.get("beskedID") or "")
                if noegle and noegle in self._set:
                    continue
                if noegle:
                    self._set[noegle] = None
                    if len(self._set) > HUSK:
                        self._set.popitem(last=False)
                nye.append(json.dumps(besked, ensure_ascii=False, separators=(",", ":")))
            if not nye:
                return 0
            tekst = "".join(linje + "\n" for linje in nye)
            if self.sti is None:
                self.ud.write(tekst)
                self.ud.flush()
            else:
                with self.sti.open("a", encoding="utf-8") as f:
                    f.write(tekst)
                    f.flush()
            return len(nye)


class Modtager(ThreadingHTTPServer):
    """The notification server: knows the secret and the inbox."""

    daemon_threads = True

    def __init__(self, adresse, secret: str, indbakke: Indbakke, log: TextIO | None = None):
        super().__init__(adresse, Handler)
        self.secret = secret
        self.indbakke = indbakke
        self.log = log if log is not None else sys.stderr


class Handler(BaseHTTPRequestHandler):
    server: Modtager
    server_version = "mox-agent"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        try:
            laengde = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            laengde = -1
        if laengde < 0 or laengde > sikkerhed.MAKS_KROP_BYTES:
            self._svar(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Kroppen er for stor.", luk=True)
            return
        krop = self.rfile.read(laengde)
        grund = sikkerhed.verificer(
            self.server.secret,
            self.headers.get("X-Mox-Tidspunkt", ""),
            self.headers.get("X-Mox-Signatur", ""),
            krop,
        )
        if grund is not None:
            self._svar(HTTPStatus.UNAUTHORIZED, grund)
            return
        try:
            vaerdi = json.loads(krop.decode("utf-8"))
        except ValueError:
            self._svar(HTTPStatus.BAD_REQUEST, "Kroppen er ikke gyldig JSON.")
            return
        if isinstance(vaerdi, dict) and isinstance(vaerdi.get("beskeder"), list):
            beskeder = [b for b in vaerdi["beskeder"] if isinstance(b, dict)]
        elif isinstance(vaerdi, dict):
            beskeder = [vaerdi]
        else:
            self._svar(HTTPStatus.BAD_REQUEST, "Kroppen skal være en besked (et JSON-objekt).")
            return
        skrevet = self.server.indbakke.skriv(beskeder)
        for besked in beskeder:
            self._log(
                "modtog %s %s %s (%s)",
                besked.get("beskedID", "?"),
                besked.get("objekttype", "?"),
                besked.get("operation", "?"),
                "ny" if skrevet else "gentagelse",
            )
        self._svar(HTTPStatus.NO_CONTENT)

    def do_GET(self) -> None:  # noqa: N802
        self._svar(HTTPStatus.METHOD_NOT_ALLOWED, "Brug POST.", allow="POST")

    do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

    def _svar(
        self, status: HTTPStatus, tekst: str = "", *, allow: str = "", luk: bool = False
    ) -> None:
        krop = (
            json.dumps({"fejl": [{"felt": "", "fejl": tekst}]}, ensure_ascii=False).encode()
            if tekst
            else b""
        )
        self.send_response(status)
        if allow:
            self.send_header("Allow", allow)
        if status == HTTPStatus.UNAUTHORIZED:
            self.send_header("WWW-Authenticate", 'MoxSignatur realm="mox-agent"')
        if krop:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(krop)))
        if luk:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if krop:
            self.wfile.write(krop)

    def _log(self, format: str, *args) -> None:  # noqa: A002
        self.server.log.write(sikkerhed.mask_cpr(format % args) + "\n")
        self.server.log.flush()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        # the request line and status only; never a body
        self._log("%s " + format, self.address_string(), *args)


def lav_modtager(
    *, vaert: str, port: int, secret: str, indbakke: Indbakke, log: TextIO | None = None
) -> Modtager:
    """Return a bound (not yet serving) notification server; port 0 picks a free port."""
    return Modtager((vaert, port), secret, indbakke, log)
