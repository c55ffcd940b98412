"""What a read found: the files read, passed over and failed, and the ``Skip`` a reader raises."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..inputs import Refused
from ..log import logger, warn


class Skip(Exception):
    """Raised by a reader for a file that holds no article; the message is the reason."""


@dataclass
class ReadReport:
    """What a read found: how many files were read and why the others were not."""

    read: int = 0
    """Files that gave at least one article."""
    articles: int = 0
    """Articles produced."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(file, reason) for each file passed over on purpose."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(file, error) for each file that could not be read."""
    printed_once: list[tuple[str, str, str]] = field(default_factory=list)
    """(left out, printed, how) for each article that was the same story as another in the book:
    "republished" or "on two sites" (``deeplybook.duplicates``)."""

    def reasons(self, limit: int = 4) -> list[str]:
        """Lines saying why files (and the records inside archives) were skipped or failed, most frequent first.

        ``["skipped: 3 not a page (image/jpeg), 1 an HTTP 404 response", "failed: 1 ..."]``;
        reasons that differ only in their numbers count together (byte offsets, word
        counts), and past ``limit`` reasons the rest are summed as "N other".
        """
        lines = []
        for label, passed in (("skipped", self.skipped), ("failed", self.failed)):
            counts = Counter(_reason_kind(reason) for _, reason in passed)
            if not counts:
                continue
            shown = [f"{count} {reason}" for reason, count in counts.most_common(limit)]
            rest = sum(count for _, count in counts.most_common()[limit:])
            lines.append(f"{label}: {', '.join(shown)}" + (f", {rest} other" if rest else ""))
        if self.printed_once:
            hows = Counter(how for _, _, how in self.printed_once)
            stories = "story" if len(self.printed_once) == 1 else "stories"
            lines.append(f"printed once: {len(self.printed_once)} {stories} found twice "
                         f"({', '.join(f'{count} {how}' for how, count in sorted(hows.items()))}; -v names them)")
        return lines

    def skip(self, path: object, reason: str) -> None:
        """Record a file passed over on purpose."""
        self.skipped.append((str(path), reason))
        logger.debug("%s: skipped: %s", path, reason)

    def fail(self, path: object, error: str) -> None:
        """Record a file that could not be read, and warn: the build goes on."""
        self.failed.append((str(path), error))
        warn("read-failed", error, path)

    def refuse(self, refused: Refused) -> None:
        """Record a file not read (outside the input, special, too large, too slow), and warn under its code."""
        passed = self.failed if refused.code == "read-timeout" else self.skipped
        passed.append((str(refused.path), refused.reason))
        warn(refused.code, refused.reason, refused.path)


_REASON_LENGTH = 80


def _reason_kind(reason: str) -> str:
    """A reason with its numbers masked and its detail cut, so that alike reasons count together."""
    # Not an HTTP status: "an HTTP 404 response" and "an HTTP 500 response" differ.
    kind = re.sub(r"(?<!HTTP )\b\d+\b", "N", reason.splitlines()[0] if reason else "unknown")
    return kind if len(kind) <= _REASON_LENGTH else kind[: _REASON_LENGTH - 1] + "…"
