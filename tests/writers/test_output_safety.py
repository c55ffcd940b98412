"""Books are never half-written: a full disk is one line and exit 1, a killed build leaves nothing for long.

Each build runs ``make-ebook`` in a process of its own, as a user would, so that
what the process leaves (files, exit code, processes) can be seen from outside.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pdf_checks import assert_sound_pdf

from deeplybook.output import atomic_path, remove_stale, scratch_folder

SAMPLE_SITE = Path(__file__).resolve().parents[1] / "samples" / "newsdeeply" / "site"
PREVIOUS = b"the previous book, which a failed build must leave as it was\n"
#: How long a test waits for something a build must do before failing (never an assertion on time).
PATIENCE = 120


def make_ebook(*args: str, limit: int | None = None, new_session: bool = False, **popen) -> subprocess.Popen:
    """Start ``make-ebook ARGS`` in a process of its own; ``limit`` caps the size of any file it writes."""

    def cap_file_size() -> None:
        # Past the cap a write fails with EFBIG instead of the process being killed by SIGXFSZ.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.Popen([sys.executable, "-m", "deeplybook.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=new_session,
                            preexec_fn=cap_file_size if limit is not None else None, **popen)


def finished(process: subprocess.Popen) -> tuple[int, str]:
    _, err = process.communicate(timeout=PATIENCE * 2)
    return process.returncode, err


# --- a full disk -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def can_mount(tmp_path_factory) -> bool:
    """Whether this process may mount a tmpfs (root in CI); else disks are imitated by a file size limit."""
    probe = tmp_path_factory.mktemp("probe")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                             capture_output=True).returncode == 0
    if mounted:
        subprocess.run(["umount", str(probe)], check=True)
    return mounted


class SmallDisk:
    """A folder on a disk of ``size`` bytes: a tmpfs of that size, or a limit on the size of each file written."""

    def __init__(self, folder: Path, size: int, mount: bool) -> None:
        self.folder, self.size, self.mount = folder, size, mount

    def __enter__(self) -> "SmallDisk":
        self.folder.mkdir()
        if self.mount:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", str(self.folder)], check=True)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.mount:
            subprocess.run(["umount", str(self.folder)], check=True)

    def build(self, *args: str) -> tuple[int, str]:
        """Run ``make-ebook ARGS`` writing here; its exit code and what it printed on stderr."""
        return finished(make_ebook(*args, limit=None if self.mount else self.size))


def fill(disk: SmallDisk, fmt: str, *, jobs: str = "2") -> tuple[int, str, list[str]]:
    """Build the sample site's book into ``disk`` over a previous book: exit code, stderr, files left."""
    target = disk.folder / f"book.{fmt}"
    target.write_bytes(PREVIOUS)
    code, err = disk.build(str(SAMPLE_SITE), "-o", str(target), "-f", fmt, "-j", jobs, "--no-cache", "-q")
    left = sorted(entry.name for entry in disk.folder.iterdir())
    if code:
        assert target.read_bytes() == PREVIOUS, "a failed build changed the previous book"
    return code, err, left


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, int]:
    """The size of the sample's EPUB and PDF, built on a roomy disk."""
    folder = tmp_path_factory.mktemp("roomy")
    sizes = {}
    for fmt in ("epub", "pdf"):
        code, err = finished(make_ebook(str(SAMPLE_SITE), "-o", str(folder / f"book.{fmt}"), "-f", fmt, "--no-cache"))
        assert code == 0, err
        sizes[fmt] = (folder / f"book.{fmt}").stat().st_size
    return sizes


def assert_one_line_failure(code: int, err: str, left: list[str], fmt: str) -> None:
    lines = err.strip().splitlines()
    assert code == 1, f"exit {code}: {err}"
    assert len(lines) == 1, err
    assert lines[0].startswith("make-ebook: error: ") and f"book.{fmt}: " in lines[0], lines[0]
    assert "the disk is full (No space left on device)" in lines[0] or "larger than this system allows" in lines[0]
    assert left == [f"book.{fmt}"], f"left behind: {left}"


@pytest.mark.parametrize("fmt, jobs", [("epub", "2"), ("pdf", "1"), ("pdf", "2")])
def test_a_full_disk_is_one_line_and_exit_1_and_the_previous_book_stays(tmp_path, can_mount, reference, fmt, jobs):
    with SmallDisk(tmp_path / "disk", reference[fmt] // 2, can_mount) as disk:
        code, err, left = fill(disk, fmt, jobs=jobs)
    assert_one_line_failure(code, err, left, fmt)


def test_a_disk_that_fills_at_any_stage_of_a_pdf_build_fails_cleanly(tmp_path, can_mount, reference):
    """Disks ever larger, up to one that holds the book: each build fails cleanly or makes a sound book.

    The steps are half a book apart, and the rendered parts are gone before the book
    is complete, so the largest disk that fails holds every part: its build failed
    while the parts were merged (pikepdf, where a full disk used to abort Python).
    """
    step = reference["pdf"] // 2
    for n in range(1, 13):
        with SmallDisk(tmp_path / f"disk-{n}", n * step, can_mount) as disk:
            code, err, left = fill(disk, "pdf")
            if code == 0:
                assert left == ["book.pdf"], f"left behind: {left}"
                assert_sound_pdf(disk.folder / "book.pdf")
                break
        assert_one_line_failure(code, err, left, "pdf")
    else:
        pytest.fail(f"no build succeeded on a disk of up to {12 * step} bytes")
    assert n > 1, "the first disk should have been too small"


def test_the_epub_on_a_disk_that_fills_late_fails_cleanly(tmp_path, can_mount, reference):
    with SmallDisk(tmp_path / "disk", reference["epub"] - 4096, can_mount) as disk:
        code, err, left = fill(disk, "epub")
    assert_one_line_failure(code, err, left, "epub")


# --- killed builds ---------------------------------------------------------------------


def write_articles(folder: Path, count: int) -> Path:
    """``count`` invented plain-text articles, long enough that rendering each takes a moment."""
    folder.mkdir()
    for n in range(count):
        paragraphs = "\n\n".join(
            f"Paragraph {p} of report {n}: the council of the river town met again while convoys waited "
            "at the crossing, and teachers kept the school open through a winter of shortages." for p in range(40))
        (folder / f"report-{n:03d}.txt").write_text(
            "Dear Deeply Readers,\n\nWelcome to the archives of Syria Deeply. An invented page for the tests.\n\n"
            f"Report number {n} from the river town\n\nAn invented report.\n\n"
            f"Written by Lina Haddad Published on March {1 + n % 28}, 2016 Read time Approx. 3 minutes\n\n"
            f"ALEPPO – {paragraphs}\n", "utf-8")
    return folder


def wait_for_rendering(out: Path, process: subprocess.Popen) -> None:
    """Return once the build has rendered a part of the book, and is still going."""
    deadline = time.monotonic() + PATIENCE
    while not any(out.glob(".book.pdf.*.parts/chunk-*.pdf")):
        assert process.poll() is None, "the build ended before it could be stopped: " + process.stderr.read()
        assert time.monotonic() < deadline, "the build rendered nothing"
        time.sleep(0.02)


def living(group: int) -> list[str]:
    """The processes of a process group that are still running (not zombies), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # Fields after the command's name, which may hold spaces, in parentheses.
        state, _, pgid = text.rpartition(")")[2].split()[:3]
        if int(pgid) == group and state != "Z":
            found.append(text.partition(")")[0])
    return found


@pytest.fixture
def killed_build(tmp_path):
    """A PDF build over a previous book, stopped with SIGKILL to its whole process group mid-render."""
    source = write_articles(tmp_path / "reports", 24)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "book.pdf"
    target.write_bytes(PREVIOUS)
    args = (str(source), "-o", str(target), "-f", "pdf", "-j", "2", "--chunk-size", "1", "--no-cache", "-q")
    process = make_ebook(*args, new_session=True)
    try:
        wait_for_rendering(out, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    return out, target, args


def test_a_killed_build_leaves_the_previous_book_and_the_next_build_sweeps_up(killed_build):
    out, target, args = killed_build
    assert target.read_bytes() == PREVIOUS
    assert len(list(out.iterdir())) > 1, "the killed build should have left its temporaries"
    code, err = finished(make_ebook(*args))
    assert code == 0, err
    assert sorted(entry.name for entry in out.iterdir()) == ["book.pdf"]
    assert assert_sound_pdf(target) > 24


def test_workers_end_when_the_build_that_started_them_is_killed(tmp_path):
    """Killing only the build's own process must not leave its render workers waiting for ever."""
    source = write_articles(tmp_path / "reports", 24)
    out = tmp_path / "out"
    process = make_ebook(str(source), "-o", str(out / "book.pdf"), "-f", "pdf", "-j", "2", "--chunk-size", "1",
                         "--no-cache", "-q", new_session=True)
    try:
        wait_for_rendering(out, process)
        os.kill(process.pid, signal.SIGKILL)
        # Not communicate(): workers left running would hold its pipes open for ever.
        process.wait()
        deadline = time.monotonic() + PATIENCE
        while living(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert living(process.pid) == []
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()


# --- temporaries -----------------------------------------------------------------------


def leave_temporaries(folder: Path) -> None:
    """Start writing a book and its parts into ``folder`` in another process, which then dies at once."""
    script = ("import os, sys\nfrom deeplybook.output import atomic_path, scratch_folder\n"
              "with atomic_path(sys.argv[1]) as temp, scratch_folder(sys.argv[1]) as parts:\n"
              "    temp.write_bytes(b'half a book'); (parts / 'chunk-00000.pdf').write_bytes(b'a part')\n"
              "    os._exit(9)\n")
    assert subprocess.run([sys.executable, "-c", script, str(folder / "book.pdf")]).returncode == 9


def test_temporaries_of_a_dead_build_are_removed_and_those_of_a_running_one_kept(tmp_path):
    leave_temporaries(tmp_path)
    (tmp_path / "book.pdf.notes").write_text("not ours")
    (tmp_path / ".hidden.part").write_text("not ours either: no process id in its name")
    dead = sorted(entry.name for entry in tmp_path.iterdir() if entry.name.startswith(".book.pdf."))
    assert sorted(name.rpartition(".")[2] for name in dead) == ["part", "parts"]
    with atomic_path(tmp_path / "book.pdf") as temp, scratch_folder(tmp_path / "book.pdf") as parts:
        # atomic_path has swept the dead build's; this build's own are running and stay.
        assert sorted(entry.name for entry in tmp_path.iterdir()) == sorted(
            [".hidden.part", "book.pdf.notes", temp.name, parts.name])
        assert remove_stale(tmp_path) == []
        temp.write_bytes(b"the book")
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [".hidden.part", "book.pdf", "book.pdf.notes"]


def test_an_epub_build_sweeps_what_a_killed_pdf_build_left_beside_it(tmp_path):
    leave_temporaries(tmp_path)
    code, err = finished(make_ebook(str(SAMPLE_SITE), "-o", str(tmp_path / "book"), "-f", "epub", "--no-cache"))
    assert code == 0, err
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["book.epub"]


def test_a_terminated_build_cleans_up_after_itself(tmp_path):
    """SIGTERM (what a service manager or `kill` sends) leaves the previous book and nothing else."""
    source = write_articles(tmp_path / "reports", 24)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "book.pdf"
    target.write_bytes(PREVIOUS)
    process = make_ebook(str(source), "-o", str(target), "-f", "pdf", "-j", "2", "--chunk-size", "1",
                         "--no-cache", "-q", new_session=True)
    try:
        wait_for_rendering(out, process)
        process.terminate()
        code, err = finished(process)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert code == 128 + signal.SIGTERM, err
    assert target.read_bytes() == PREVIOUS
    assert sorted(entry.name for entry in out.iterdir()) == ["book.pdf"]
