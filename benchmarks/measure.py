"""Run a command and measure it: wall time and the peak resident memory of its whole process tree."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measured:
    """What one run of a command cost."""

    seconds: float
    """Wall time from start to exit."""
    peak_mb: float
    """The largest total resident memory the process and its descendants held at once."""
    stdout: str
    """What it printed."""


def process_tree(root: int) -> dict[int, list[bytes]]:
    """The /proc/PID/stat fields (after the command name) of ``root`` and all its descendants."""
    stats: dict[int, list[bytes]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    stats[int(entry)] = stat.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
    family, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, fields in stats.items():
            if int(fields[1]) == parent and pid not in family:
                family.add(pid)
                frontier.append(pid)
    return {pid: stats[pid] for pid in family if pid in stats}


def tree_rss(root: int) -> int:
    """Resident bytes of process ``root`` and all its descendants, from /proc."""
    total = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def run(command: list[str], *, env: dict[str, str] | None = None, quiet: bool = False) -> Measured:
    """Run ``command``, sampling its tree's memory every 50 ms; fail loudly if it fails.

    ``quiet`` drops what the command writes to stderr (pandoc's complaints that it
    cannot fetch the archive's dead image links, say).
    """
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env,
                             stderr=subprocess.DEVNULL if quiet else None)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(child.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{command[0]} failed (exit {child.returncode}): {' '.join(command[:6])}...")
    return Measured(seconds, peak / 1e6, output)
