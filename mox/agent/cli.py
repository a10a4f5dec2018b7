"""The agent's command line: `python -m mox.agent send|status|modtag …`.

Credentials: the token and secret come from `--noegle-fil` (the JSON line that
`manage.py mox_system_opret` prints, saved to a file), else from the environment (MOX_TOKEN,
MOX_SECRET). `--token`/`--secret` on the command line also work but show the secret to
anyone who can list processes, so the agent warns.

Exit codes: 0 done; 1 usage or configuration error; 2 messages were refused (see the
report); 3 Datadeling refused the credentials (401/403); 4 Datadeling could not be reached
(gave up after retries; run again to resume); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
from pathlib import Path

from . import VERSION, afsender, eksport, sikkerhed
from .modtager import Indbakke, lav_modtager

LOKALE_VAERTER = {"localhost", "127.0.0.1", "::1", "testserver"}


def main(argv: list[str] | None = None) -> int:
    parser = byg_parser()
    args = parser.parse_args(argv)
    try:
        return args.funktion(args)
    except afsender.Stop as stop:
        print(f"mox-agent: {stop}", file=sys.stderr)
        return stop.kode
    except KeyboardInterrupt:
        print("\nmox-agent: afbrudt; kør igen for at fortsætte.", file=sys.stderr)
        return 130


def byg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mox.agent",
        description=(
            "Datadelings reference-MOX-agent: sender et fagsystems eksport til Datadeling som "
            "signerede MOX-beskeder og modtager Datadelings notifikationer. Kræver kun "
            "Python 3.11's standardbibliotek."
        ),
        epilog=(
            "Nøgler: --noegle-fil (JSON-linjen fra manage.py mox_system_opret) eller "
            "miljøvariablerne MOX_TOKEN og MOX_SECRET. Afslutningskoder: 0 færdig, 1 fejl i "
            "kaldet, 2 beskeder afvist (se rapporten), 3 adgang nægtet, 4 Datadeling svarer "
            "ikke (kør igen for at fortsætte)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"mox-agent {VERSION}")
    under = parser.add_subparsers(title="kommandoer", dest="kommando", required=True)

    send = under.add_parser(
        "send",
        help="send en eksportmappe til Datadeling",
        description=(
            "Læser alle *.json-, *.jsonl- og *.csv-filer i mappen i navneorden, laver dem om "
            "til MOX-beskeder, signerer og sender dem i samlinger. Fremdriften gemmes i "
            "tilstandsfilen efter hver kvitteret samling, så en afbrudt kørsel fortsætter, "
            "hvor den slap."
        ),
    )
    _forbindelse(send, url_hjaelp="MOX-adressen, fx https://datadeling.example/mox/")
    send.add_argument("--mappe", required=True, type=Path, help="eksportmappen")
    send.add_argument(
        "--batch",
        type=int,
        default=500,
        help=f"beskeder pr. kald (1–{sikkerhed.MAKS_BESKEDER_PR_KALD}, standard 500)",
    )
    send.add_argument(
        "--tilstand-fil",
        type=Path,
        default=Path(".mox-agent-state.json"),
        help="hvor fremdriften gemmes (standard .mox-agent-state.json)",
    )
    send.add_argument(
        "--rapport-fil",
        type=Path,
        default=Path("mox-agent-rapport.jsonl"),
        help="hvor afviste beskeder skrives, én JSON-linje pr. besked "
        "(standard mox-agent-rapport.jsonl)",
    )
    send.add_argument(
        "--ved-fejl",
        choices=["fortsaet", "stop"],
        default="fortsaet",
        help="ved afviste beskeder (400): fortsaet skriver dem i rapporten og sender resten "
        "(standard); stop standser uden at gemme samlingen",
    )
    send.add_argument(
        "--maks-batches",
        type=int,
        default=None,
        help="stop efter så mange samlinger (til en forsigtig første kørsel)",
    )
    send.add_argument(
        "--forsoeg",
        type=int,
        default=8,
        help="forsøg pr. samling ved 5xx og netværksfejl, med stigende ventetid (standard 8)",
    )
    send.add_argument("--timeout", type=float, default=60.0, help="sekunder pr. kald (standard 60)")
    send.add_argument("--stille", action="store_true", help="ingen fremdriftslinje på stderr")
    send.set_defaults(funktion=kommando_send)

    status = under.add_parser(
        "status",
        help="spørg om beskeders status",
        description="Spørger Datadeling om status for beskeder (GET /mox/beskeder/<id>/).",
    )
    _forbindelse(status, url_hjaelp="MOX-adressen, fx https://datadeling.example/mox/")
    status.add_argument("beskedid", nargs="*", help="beskedID'er")
    status.add_argument(
        "--mappe",
        type=Path,
        help="spørg om alle beskeder i en eksportmappe og vis en optælling",
    )
    status.add_argument("--timeout", type=float, default=60.0, help="sekunder pr. kald")
    status.add_argument("--json", action="store_true", help="skriv svarene som JSON-linjer")
    status.set_defaults(funktion=kommando_status)

    modtag = under.add_parser(
        "modtag",
        help="modtag notifikationer fra Datadeling",
        description=(
            "En lille HTTP-server, der modtager Datadelings signerede notifikationer, "
            "kontrollerer signaturen (samme ordning som ved afsendelse, 5 minutters vindue) "
            "og skriver hver besked som én JSON-linje i indbakken."
        ),
    )
    modtag.add_argument("--port", type=int, default=8081, help="port (standard 8081)")
    modtag.add_argument(
        "--vaert",
        default="127.0.0.1",
        help="adresse at lytte på (standard 127.0.0.1; 0.0.0.0 for alle)",
    )
    modtag.add_argument(
        "--indbakke",
        type=Path,
        default=None,
        help="fil som beskederne føjes til (standard: stdout)",
    )
    modtag.add_argument("--secret", help="systemets hemmelighed (hellere MOX_SECRET)")
    modtag.add_argument("--noegle-fil", type=Path, help="JSON-fil fra mox_system_opret")
    modtag.set_defaults(funktion=kommando_modtag)
    return parser


def _forbindelse(parser: argparse.ArgumentParser, *, url_hjaelp: str) -> None:
    parser.add_argument("--url", required=True, help=url_hjaelp)
    parser.add_argument(
        "--noegle-fil",
        type=Path,
        help='JSON med "token" og "secret", som manage.py mox_system_opret skriver',
    )
    parser.add_argument("--token", help="systemets token (hellere MOX_TOKEN eller --noegle-fil)")
    parser.add_argument(
        "--secret", help="systemets hemmelighed (frarådes: hellere MOX_SECRET eller --noegle-fil)"
    )
    parser.add_argument(
        "--tillad-http",
        action="store_true",
        help="tillad http:// til andet end localhost (beskederne rummer CPR-numre: brug https)",
    )


def noegler(args, *, kun_secret: bool = False) -> tuple[str, str]:
    """Return (token, secret): the command line, then --noegle-fil, then the environment."""
    fil: dict = {}
    if getattr(args, "noegle_fil", None):
        try:
            fil = json.loads(args.noegle_fil.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise afsender.Stop(
                1, f"Nøglefilen {args.noegle_fil} kan ikke læses som JSON."
            ) from None
    if getattr(args, "secret", None):
        print(
            "mox-agent: advarsel: --secret på kommandolinjen kan ses af andre brugere på "
            "maskinen; brug MOX_SECRET eller --noegle-fil.",
            file=sys.stderr,
        )
    token = getattr(args, "token", None) or fil.get("token") or os.environ.get("MOX_TOKEN", "")
    secret = args.secret or fil.get("secret") or os.environ.get("MOX_SECRET", "")
    if not secret or (not kun_secret and not token):
        mangler = "hemmeligheden" if token or kun_secret else "token og hemmelighed"
        raise afsender.Stop(
            1, f"Mangler {mangler}: brug --noegle-fil eller miljøvariablerne MOX_TOKEN/MOX_SECRET."
        )
    return token, secret


def forbindelse(args) -> afsender.Forbindelse:
    token, secret = noegler(args)
    dele = urllib.parse.urlsplit(args.url)
    if dele.scheme == "http" and dele.hostname not in LOKALE_VAERTER and not args.tillad_http:
        raise afsender.Stop(
            1,
            "Beskederne rummer CPR-numre og sendes kun over https (eller til localhost); "
            "brug --tillad-http for at sende ukrypteret alligevel.",
        )
    return afsender.Forbindelse(url=args.url, token=token, secret=secret, timeout=args.timeout)


def kommando_send(args) -> int:
    if not 1 <= args.batch <= sikkerhed.MAKS_BESKEDER_PR_KALD:
        raise afsender.Stop(1, f"--batch skal være mellem 1 og {sikkerhed.MAKS_BESKEDER_PR_KALD}.")
    forb = forbindelse(args)
    try:
        filer = eksport.laes_mappe(args.mappe)
    except (OSError, UnicodeDecodeError) as e:
        raise afsender.Stop(1, f"Eksporten kan ikke læses: {e}") from None
    a = afsender.Afsender(
        forbindelse=forb,
        tilstand_sti=args.tilstand_fil,
        rapport_sti=args.rapport_fil,
        batch=args.batch,
        ved_fejl=args.ved_fejl,
        maks_batches=args.maks_batches,
        forsoeg=max(1, args.forsoeg),
        fremdrift=None if args.stille else sys.stderr,
    )
    resultat = a.send(filer)
    print(json.dumps(resultat.som_dict(), ensure_ascii=False))
    if resultat.afvist:
        print(
            f"mox-agent: {resultat.afvist} besked(er) afvist; se {args.rapport_fil}.",
            file=sys.stderr,
        )
        return afsender.AFVIST
    return afsender.OK


def kommando_status(args) -> int:
    forb = forbindelse(args)
    ids = list(args.beskedid)
    if args.mappe:
        for fil in eksport.laes_mappe(args.mappe):
            ids.extend(p.besked["beskedID"] for p in fil.poster if p.besked)
    if not ids:
        raise afsender.Stop(1, "Angiv beskedID'er eller --mappe.")
    optaelling: dict[str, int] = {}
    try:
        for besked_id in ids:
            status, _, svar = forb.kald("GET", f"beskeder/{urllib.parse.quote(besked_id)}/")
            if status in (401, 403):
                raise afsender.Stop(afsender.NAEGTET, afsender._naegtet_tekst(status, svar))
            tilstand = svar.get("status") if status == 200 else f"ukendt ({status})"
            optaelling[tilstand] = optaelling.get(tilstand, 0) + 1
            fejl = svar.get("fejl") or []
            if args.json:
                linje = {"beskedID": besked_id, "status": tilstand, "fejl": fejl}
                print(sikkerhed.mask_cpr(json.dumps(linje, ensure_ascii=False)))
            elif not args.mappe or tilstand not in ("behandlet", "modtaget"):
                tekster = "; ".join(
                    f"{f.get('felt')}: {f.get('fejl')}" for f in fejl if isinstance(f, dict)
                )
                print(sikkerhed.mask_cpr(f"{besked_id}  {tilstand}  {tekster}".rstrip()))
    except OSError as e:
        raise afsender.Stop(afsender.OPGIVET, f"Datadeling svarer ikke: {e}") from None
    finally:
        forb.luk()
    if args.mappe and not args.json:
        print("  ".join(f"{navn}: {antal}" for navn, antal in sorted(optaelling.items())))
    return afsender.OK


def kommando_modtag(args) -> int:
    _, secret = noegler(args, kun_secret=True)
    indbakke = Indbakke(args.indbakke)
    server = lav_modtager(vaert=args.vaert, port=args.port, secret=secret, indbakke=indbakke)
    vaert, port = server.server_address[:2]
    hvor = args.indbakke or "stdout"
    print(f"mox-agent: modtager notifikationer på http://{vaert}:{port}/ → {hvor}", file=sys.stderr)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return afsender.OK
