"""What a read found: the files read, passed over and failed, and the ``Skip`` a reader raises."""

from __future__ import annotations

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
