"""CPU profile of MOX processing in one process: where a chunk's time goes, by kind.

    .venv/bin/python benchmarks/mox_profil.py [--beskeder 2000] [--mix | --art sag]
        [--stykke 250] [--top 30]

In a throwaway database (BENCH_DATABASE_NAME, as benchmarks/mox.py), it builds the same
messages as benchmarks/mox.py, stores them through the ingress service (timed: the
inbox write without HTTP), applies them in chunks of --stykke with `anvend_mange` under
cProfile (no broker, no worker: the processing alone), and prints messages/s, the
statements per chunk and the profile's top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import os
import pstats
import sys
import time
from pathlib import Path

ROD = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROD))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")
_spec = importlib.util.spec_from_file_location("bench_mox", ROD / "benchmarks" / "mox.py")
assert _spec is not None and _spec.loader is not None
bm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--beskeder", type=int, default=2000)
    parser.add_argument("--mix", action="store_true")
    parser.add_argument("--art", default="", help="kun denne objekttype (fx sag)")
    parser.add_argument("--stykke", type=int, default=250)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--ingress", action="store_true", help="profilér indbakken (validering og skrivning)"
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="med --ingress: gennem viewet (signerede POST á 1000, uden gunicorn)",
    )
    parser.add_argument(
        "--uden-profil", action="store_true", help="med --ingress: kun tiden, uden cProfile"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries

    from mox import services
    from mox.behandling.anvend import anvend_mange
    from mox.models import Besked, System
    from mox.protokol import Status

    settings.CELERY_TASK_ALWAYS_EAGER = False
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = bm.DATABASE_NAME
    gammelt_navn = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        enhed, cprs, typer, _token, _secret = bm._byg(500)
        system = System.objects.get()
        if args.art:
            bm.MIX = {args.art: 1.0}
        alle = bm._beskeder(args.beskeder, enhed, cprs, typer, 0.0, args.mix or bool(args.art))
        from mox import signals

        signals.meld_beskeder_klar = lambda ids: None  # no broker: applied below
        services.meld_beskeder_klar = lambda ids: None
        from mox.behandling import koe

        koe.meld_beskeder_klar = lambda ids: None
        import json

        from mox import validering

        kroppe = [
            json.dumps({"beskeder": alle[start : start + 1000]}).encode()
            for start in range(0, len(alle), 1000)
        ]
        profil_ind = cProfile.Profile()
        if args.uden_profil:
            profil_ind.enable = profil_ind.disable = lambda: None  # type: ignore[method-assign,assignment]
        if args.ingress and args.http:
            # The whole request but the server: authentication (token, HMAC over the
            # body), validation, the inbox and the JSON answer.
            from django.test import RequestFactory

            from mox import views
            from mox.auth import signatur

            fabrik = RequestFactory()
            foresp = []
            for krop in kroppe:
                t = str(int(time.time()))
                foresp.append(
                    fabrik.generic(
                        "POST",
                        "/mox/beskeder/",
                        krop,
                        content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {_token}",
                        HTTP_X_MOX_TIDSPUNKT=t,
                        HTTP_X_MOX_SIGNATUR=signatur(_secret, t, krop),
                    )
                )
            import gc

            gc_tid = [0.0, 0.0]

            def gc_ur(fase: str, info: dict) -> None:
                if fase == "start":
                    gc_tid[1] = time.perf_counter()
                else:
                    gc_tid[0] += time.perf_counter() - gc_tid[1]

            gc.callbacks.append(gc_ur)
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            profil_ind.enable()
            for request in foresp:
                svar = views.beskeder(request)
                assert svar.status_code == 202, svar.content[:300]
            profil_ind.disable()
            cpu_ind = time.process_time() - cpu0
            gc.callbacks.remove(gc_ur)
        else:
            t0 = time.perf_counter()
            profil_ind.enable()
            for krop in kroppe:
                indhold = validering.laes_krop(krop)
                services.beskeder_receive(system=system, beskeder=indhold.beskeder)
            profil_ind.disable()
        t_ind = time.perf_counter() - t0
        if args.ingress:
            print(
                f"indbakke (validering + skrivning{'' if args.uden_profil else ', med cProfile'}):"
                f" {len(alle) / t_ind:.0f}/s"
            )
            if args.uden_profil:
                if args.http:
                    # CPU time of this process alone (not PostgreSQL's): less sensitive to
                    # a loaded machine than the wall clock
                    print(
                        f"CPU i processen: {cpu_ind / len(alle) * 1e6:.1f} µs pr. besked,"
                        f" heraf Pythons cykliske GC {gc_tid[0] / len(alle) * 1e6:.1f} µs"
                    )
                return
            pstats.Stats(profil_ind).sort_stats(
                os.environ.get("PROFIL_SORTERING", "cumulative")
            ).print_stats(args.top)
            return
        ids = list(Besked.objects.order_by("modtaget", "pk").values_list("pk", flat=True))
        profil = cProfile.Profile()
        connection.force_debug_cursor = True
        reset_queries()
        t0 = time.perf_counter()
        profil.enable()
        for start in range(0, len(ids), args.stykke):
            anvend_mange(ids[start : start + args.stykke])
        profil.disable()
        t_anvend = time.perf_counter() - t0
        udsagn = len(connection.queries)
        connection.force_debug_cursor = False
        ikke = Besked.objects.exclude(status=Status.BEHANDLET)
        if ikke.exists():
            print("IKKE BEHANDLET:", list(ikke.values("objekttype", "status", "fejl")[:3]))
        stykker = -(-len(ids) // args.stykke)
        print(
            f"{len(ids)} beskeder: indbakke {len(ids) / t_ind:.0f}/s;"
            f" anvendt {len(ids) / t_anvend:.0f}/s i én proces (med cProfile);"
            f" {udsagn / stykker:.0f} udsagn pr. stykke á {args.stykke}"
        )
        pstats.Stats(profil).sort_stats("cumulative").print_stats(args.top)
    finally:
        connection.creation.destroy_test_db(gammelt_navn, verbosity=0)


if __name__ == "__main__":
    main()
