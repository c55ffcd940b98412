"""The example script builds the sample through the Python API, as the README says."""

import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "build_sample.py"


def test_build_sample_script(tmp_path, epubcheck):
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "out")], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    epubcheck(tmp_path / "out" / "sample.epub")
    reader = PdfReader(tmp_path / "out" / "sample.pdf")
    assert reader.metadata.title == "Syria Deeply: A Sample Edition"
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "What an ISIS Retreat in Boukamal" in text and "Hashem Osseiran" in text
