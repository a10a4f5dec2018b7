"""Peak resident memory of processes, for the benchmarks' printouts.

Linux keeps each process's high-water mark of resident memory in /proc/<pid>/status
(VmHWM). It is only there while the process lives, so a benchmark reads it for its child
processes (gunicorn workers, Celery's pool processes) before it stops them:

    toppe = top_rss_traer([gunicorn.pid, celery.pid])   # {pid: (name, MiB)}
    print(udskriv_toppe(toppe))

The benchmark's own process: `egen_top_mib()`.
"""

from __future__ import annotations

import resource
from pathlib import Path

PROC = Path("/proc")


def top_rss_mib(pid: int) -> float | None:
    """The process's peak resident memory in MiB, or None when it is gone."""
    try:
        tekst = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for linje in tekst.splitlines():
        if linje.startswith("VmHWM:"):
            return int(linje.split()[1]) / 1024
    return None


def _navn(pid: int) -> str:
    try:
        cmd = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"
    return " ".join(cmd.split()[:4])[:80]


def _boern() -> dict[int, list[int]]:
    boern: dict[int, list[int]] = {}
    for sti in PROC.iterdir():
        if not sti.name.isdigit():
            continue
        try:
            stat = (sti / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces; the parent pid follows it.
        felter = stat.rsplit(")", 1)[1].split()
        boern.setdefault(int(felter[1]), []).append(int(sti.name))
    return boern


def top_rss_traer(roedder: list[int]) -> dict[int, tuple[str, float]]:
    """Peak resident memory of each process in the trees under `roedder` (roots included)."""
    boern = _boern()
    ud: dict[int, tuple[str, float]] = {}
    koe = list(roedder)
    while koe:
        pid = koe.pop()
        mib = top_rss_mib(pid)
        if mib is not None:
            ud[pid] = (_navn(pid), mib)
        koe.extend(boern.get(pid, []))
    return ud


def egen_top_mib() -> float:
    """This process's own peak resident memory in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def udskriv_toppe(toppe: dict[int, tuple[str, float]]) -> str:
    return "\n".join(
        f"  peak RSS {mib:7.1f} MiB  pid {pid:>7}  {navn}"
        for pid, (navn, mib) in sorted(toppe.items(), key=lambda p: -p[1][1])
    )
