"""Send an export to Datadeling in signed batches, remembering how far it got.

Progress lives in a state file (JSON, written atomically: a temporary file in the same
folder, fsync, rename), one entry per export file: its content hash and how many of its
messages, counted from the top, are done (acknowledged by Datadeling with 202, or refused
and written to the report). A run skips what is done, so a killed agent resumes after the
last acknowledged batch. A file whose content changed is sent again from the top: the
beskedIDs are the same for unchanged messages, and Datadeling stores a beskedID once.

Answers from Datadeling:
  202      the batch is stored; progress is saved
  400      the batch is refused as a whole; the errors name `beskeder[i]…`. With
           ved_fejl="fortsaet" the refused messages are written to the report and the rest
           of the batch is sent again; with "stop" the agent writes the report and stops.
  401/403  bad token, signature or clock: stop at once (nothing more can succeed)
  413      the body is too large: the batch is split in halves
  429/5xx  and connection errors: retried with exponential backoff, then the agent stops
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import sikkerhed
from .eksport import Fil, Post

STATE_VERSION = 1
INDEKS = re.compile(r"^beskeder\[(\d+)\]\.?")
MAKS_KROP = sikkerhed.MAKS_KROP_BYTES - 64 * 1024  # margin for the envelope of the batch

# exit codes (documented in cli.py)
OK, AFVIST, NAEGTET, OPGIVET = 0, 2, 3, 4


class Stop(Exception):
    """The run cannot go on; `kode` is the exit code and the text says why (CPR masked)."""

    def __init__(self, kode: int, tekst: str):
        super().__init__(sikkerhed.mask_cpr(tekst))
        self.kode = kode


@dataclass
class Forbindelse:
    """Where and as whom the agent talks to Datadeling."""

    url: str  # the MOX base, e.g. https://datadeling.example/mox/
    token: str
    secret: str
    timeout: float = 60.0
    _conn: http.client.HTTPConnection | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.url.endswith("/"):
            self.url += "/"
        dele = urllib.parse.urlsplit(self.url)
        if dele.scheme not in ("http", "https") or not dele.hostname:
            raise Stop(1, "--url skal være en http(s)-adresse, fx https://datadeling.example/mox/")
        self._dele = dele

    def kald(self, metode: str, sti: str, krop: bytes = b"") -> tuple[int, dict, dict]:
        """Send one signed request (sti relative to the MOX base); return status, headers,
        JSON body ({} when the body is not JSON). Raises OSError on connection trouble."""
        fuld = urllib.parse.urljoin(self._dele.path, sti)
        headere = sikkerhed.headere(self.token, self.secret, krop)
        if not krop:
            del headere["Content-Type"]
        conn = self._forbind()
        try:
            conn.request(metode, fuld, body=krop or None, headers=headere)
            svar = conn.getresponse()
            data = svar.read()
        except (OSError, http.client.HTTPException) as e:
            self.luk()
            raise OSError(str(e) or type(e).__name__) from e
        if svar.getheader("Connection", "").lower() == "close":
            self.luk()
        try:
            indhold = json.loads(data) if data else {}
        except ValueError:
            indhold = {}
        return svar.status, dict(svar.getheaders()), indhold if isinstance(indhold, dict) else {}

    def _forbind(self) -> http.client.HTTPConnection:
        if self._conn is None:
            klasse = (
                http.client.HTTPSConnection
                if self._dele.scheme == "https"
                else http.client.HTTPConnection
            )
            self._conn = klasse(self._dele.hostname, self._dele.port, timeout=self.timeout)
        return self._conn

    def luk(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# --- state ----------------------------------------------------------------------------------


def laes_tilstand(sti: Path, url: str) -> dict[str, Any]:
    """Return the saved progress for `url` (a fresh one when there is none or it is for
    another Datadeling)."""
    tom = {"version": STATE_VERSION, "url": url, "filer": {}}
    if not sti.exists():
        return tom
    try:
        tilstand = json.loads(sti.read_text(encoding="utf-8"))
    except ValueError:
        raise Stop(1, f"Tilstandsfilen {sti} kan ikke læses; flyt den og start forfra.") from None
    if tilstand.get("version") != STATE_VERSION or tilstand.get("url") != url:
        return tom
    return tilstand


def gem_tilstand(sti: Path, tilstand: dict[str, Any]) -> None:
    """Write the state file atomically (temporary file, fsync, rename over the old one)."""
    tilstand["opdateret"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    sti.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=sti.name + ".", suffix=".tmp", dir=sti.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(tilstand, f, indent=2, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, sti)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the run --------------------------------------------------------------------------------


@dataclass
class Resultat:
    ialt: int = 0  # messages in the export
    allerede: int = 0  # done in an earlier run
    sendt: int = 0  # acknowledged (202) in this run
    afvist: int = 0  # refused (400) or unreadable, written to the report, in this run
    batches: int = 0
    sekunder: float = 0.0
    stoppet: str = ""

    def som_dict(self) -> dict[str, Any]:
        return {
            "ialt": self.ialt,
            "allerede_sendt": self.allerede,
            "sendt": self.sendt,
            "afvist": self.afvist,
            "batches": self.batches,
            "sekunder": round(self.sekunder, 2),
            **({"stoppet": self.stoppet} if self.stoppet else {}),
        }


@dataclass
class Afsender:
    """One send run over an export folder's files."""

    forbindelse: Forbindelse
    tilstand_sti: Path
    rapport_sti: Path
    batch: int = 500
    ved_fejl: str = "fortsaet"  # or "stop"
    maks_batches: int | None = None
    forsoeg: int = 8
    ventetid: float = 1.0  # first backoff (seconds), doubled per attempt, at most 60
    fremdrift: TextIO | None = field(default_factory=lambda: sys.stderr)
    sov: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.batch = max(1, min(self.batch, sikkerhed.MAKS_BESKEDER_PR_KALD))

    def send(self, filer: list[Fil]) -> Resultat:
        """Send every message not yet done; return the counts (raise Stop to give up)."""
        start = time.monotonic()
        tilstand = laes_tilstand(self.tilstand_sti, self.forbindelse.url)
        gamle = tilstand["filer"]
        tilstand["filer"] = {}
        koe: list[tuple[Post, dict]] = []  # (message, its file's state entry)
        r = Resultat()
        for fil in filer:
            tidligere = gamle.get(fil.navn)
            faerdige = (
                tidligere["faerdige"] if tidligere and tidligere.get("sha256") == fil.sha256 else 0
            )
            faerdige = min(faerdige, len(fil.poster))
            post_tilstand = {
                "sha256": fil.sha256,
                "beskeder": len(fil.poster),
                "faerdige": faerdige,
                "kvitteret": tidligere.get("kvitteret", 0) if faerdige and tidligere else 0,
                "afvist": tidligere.get("afvist", 0) if faerdige and tidligere else 0,
            }
            tilstand["filer"][fil.navn] = post_tilstand
            r.ialt += len(fil.poster)
            r.allerede += faerdige
            koe.extend((p, post_tilstand) for p in fil.poster[faerdige:])
        self._r, self._start, self._tilstand = r, start, tilstand
        try:
            i = 0
            while i < len(koe):
                if self.maks_batches is not None and r.batches >= self.maks_batches:
                    r.stoppet = f"--maks-batches {self.maks_batches} er nået"
                    break
                stykke = koe[i : i + self.batch]
                if self.ved_fejl == "stop":
                    # stop exactly at the first row that cannot be a message: send what
                    # comes before it, then report it and stop
                    brud = next((n for n, (p, _) in enumerate(stykke) if p.besked is None), None)
                    if brud == 0:
                        self._rapporter(stykke[0][0], [_lokal_fejl(stykke[0][0])], stykke[0][1])
                    elif brud is not None:
                        stykke = stykke[:brud]
                self._send_stykke(stykke)
                for _, ft in stykke:
                    ft["faerdige"] += 1
                gem_tilstand(self.tilstand_sti, tilstand)
                r.batches += 1
                i += len(stykke)
                self._vis()
        finally:
            self.forbindelse.luk()
            r.sekunder = time.monotonic() - start
            self._vis(slut=True)
        return r

    # --- one batch ------------------------------------------------------------------------

    def _send_stykke(self, stykke: list[tuple[Post, dict]]) -> None:
        """Deliver one batch: every message ends acknowledged or in the report."""
        gyldige = []
        for post, ft in stykke:
            if post.besked is None:
                self._rapporter(post, [_lokal_fejl(post)], ft)
            else:
                gyldige.append((post, ft))
        ventende = [gyldige] if gyldige else []
        while ventende:
            del_ = ventende.pop(0)
            krop = json.dumps(
                {"beskeder": [p.besked for p, _ in del_]},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode("utf-8")
            if len(krop) > MAKS_KROP and len(del_) > 1:
                halv = len(del_) // 2
                ventende[:0] = [del_[:halv], del_[halv:]]
                continue
            status, headere, svar = self._post(krop)
            if status == 202:
                for _, ft in del_:
                    ft["kvitteret"] += 1
                self._r.sendt += len(del_)
            elif status == 413 and len(del_) > 1:
                halv = len(del_) // 2
                ventende[:0] = [del_[:halv], del_[halv:]]
            elif status == 400:
                rest = self._afvist(del_, svar.get("fejl") or [])
                if rest:
                    ventende.insert(0, rest)
            elif status in (401, 403):
                raise Stop(NAEGTET, _naegtet_tekst(status, svar))
            else:
                raise Stop(OPGIVET, f"Datadeling svarede {status}; se serverens log.")

    def _post(self, krop: bytes) -> tuple[int, dict, dict]:
        """POST a batch, retrying 429, 5xx and connection errors with exponential backoff."""
        vent = self.ventetid
        sidste = ""
        for forsoeg in range(1, self.forsoeg + 1):
            try:
                status, headere, svar = self.forbindelse.kald("POST", "beskeder/", krop)
            except OSError as e:
                sidste = f"forbindelsesfejl ({sikkerhed.mask_cpr(str(e))[:200]})"
            else:
                if status != 429 and status < 500:
                    return status, headere, svar
                sidste = f"svar {status}"
                retry_after = headere.get("Retry-After", "")
                if retry_after.isdigit():
                    vent = max(vent, float(retry_after))
            if forsoeg < self.forsoeg:
                self._skriv(f"{sidste}; prøver igen om {vent:.0f} s (forsøg {forsoeg + 1})")
                self.sov(vent)
                vent = min(vent * 2, 60.0)
        raise Stop(
            OPGIVET,
            f"Opgav efter {self.forsoeg} forsøg ({sidste}). Kør agenten igen senere; den "
            "fortsætter efter sidste kvitterede batch.",
        )

    def _afvist(self, del_: list[tuple[Post, dict]], fejl: list[dict]) -> list:
        """Handle a 400: report the refused messages; return the rest to send again."""
        pr_besked: dict[int, list[dict]] = {}
        uden_indeks = []
        for f in fejl:
            felt = str(f.get("felt", ""))
            match = INDEKS.match(felt)
            tekst = {"felt": felt[match.end() :] if match else felt, "fejl": str(f.get("fejl"))}
            if match and int(match.group(1)) < len(del_):
                pr_besked.setdefault(int(match.group(1)), []).append(tekst)
            else:
                uden_indeks.append(tekst)
        if uden_indeks or not pr_besked:
            # The body as a whole was refused: nothing to tell the messages apart by.
            for post, ft in del_:
                self._rapporter(post, uden_indeks or [{"felt": "", "fejl": "Afvist (400)."}], ft)
            if self.ved_fejl == "stop":
                raise Stop(AFVIST, f"Datadeling afviste en samling; se {self.rapport_sti}.")
            return []
        for nr, tekster in sorted(pr_besked.items()):
            post, ft = del_[nr]
            self._rapporter(post, tekster, ft)
        if self.ved_fejl == "stop":
            raise Stop(
                AFVIST,
                f"Datadeling afviste {len(pr_besked)} besked(er); se {self.rapport_sti}. "
                "Intet fra samlingen er gemt; ret eksporten og kør igen.",
            )
        return [p for nr, p in enumerate(del_) if nr not in pr_besked]

    def _rapporter(self, post: Post, fejl: list[dict], ft: dict) -> None:
        """Append one refused message to the report (JSON lines, CPR masked)."""
        besked = post.besked or {}
        linje = {
            "tid": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "fil": post.fil,
            "nummer": post.nummer,
            "beskedID": besked.get("beskedID"),
            "objekttype": besked.get("objekttype"),
            "operation": besked.get("operation"),
            "objektID": besked.get("objektID"),
            "fejl": fejl,
        }
        self.rapport_sti.parent.mkdir(parents=True, exist_ok=True)
        with self.rapport_sti.open("a", encoding="utf-8") as f:
            f.write(sikkerhed.mask_cpr(json.dumps(linje, ensure_ascii=False)) + "\n")
        ft["afvist"] += 1
        self._r.afvist += 1
        if self.ved_fejl == "stop" and post.besked is None:
            raise Stop(AFVIST, f"{post.fil} nr. {post.nummer}: {post.fejl}")

    # --- output -----------------------------------------------------------------------------

    def _vis(self, *, slut: bool = False) -> None:
        if self.fremdrift is None:
            return
        r = self._r
        faerdige = r.allerede + r.sendt + r.afvist
        tid = max(time.monotonic() - self._start, 1e-6)
        tekst = (
            f"{faerdige}/{r.ialt} beskeder"
            f" ({100 * faerdige // max(r.ialt, 1)} %)"
            f" · {(r.sendt + r.afvist) / tid:.0f} besk/s"
            f" · {r.batches} batch(es)" + (f" · {r.afvist} afvist" if r.afvist else "")
        )
        tty = getattr(self.fremdrift, "isatty", lambda: False)()
        if tty:
            self.fremdrift.write("\r\x1b[K" + tekst + ("\n" if slut else ""))
        elif not slut or r.batches == 0:
            self.fremdrift.write(tekst + "\n")
        self.fremdrift.flush()

    def _skriv(self, tekst: str) -> None:
        if self.fremdrift is not None:
            self.fremdrift.write("\n" + sikkerhed.mask_cpr(tekst) + "\n")
            self.fremdrift.flush()


def _lokal_fejl(post: Post) -> dict[str, str]:
    return {"felt": "", "fejl": post.fejl or "Ulæselig."}


def _naegtet_tekst(status: int, svar: dict) -> str:
    fejl = "; ".join(str(f.get("fejl", "")) for f in svar.get("fejl") or [] if isinstance(f, dict))
    hvad = (
        "token er ukendt eller systemet er inaktivt"
        if status == 401
        else "signaturen eller tidspunktet blev afvist (passer hemmeligheden, og går uret rigtigt?)"
    )
    return f"Datadeling nægtede adgang ({status}): {hvad}. {fejl}".strip()
