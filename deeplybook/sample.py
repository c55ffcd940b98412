"""Where the bundled sample article lives, in an installed wheel or a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The sample page shipped with deeplybook (a Syria Deeply interview as plain text).
SAMPLE_NAME = "syria-deeply-boukamal.txt"


def sample_path() -> Path:
    """The bundled sample article's path."""
    packaged = Path(str(resources.files("deeplybook"))) / "_examples" / SAMPLE_NAME
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "examples" / SAMPLE_NAME
