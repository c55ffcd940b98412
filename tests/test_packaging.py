"""A normal (non-editable) install from a wheel carries the themes and the sample and works."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(REPO)], check=True)
    (built,) = out.glob("deeplybook-*.whl")
    return built


def test_wheel_carries_themes_and_sample(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "deeplybook/_themes/default/theme.toml" in names
    assert "deeplybook/_themes/default/templates/article.html" in names
    assert "deeplybook/_examples/syria-deeply-boukamal.txt" in names
    [points] = [n for n in names if n.endswith("entry_points.txt")]
    groups = zipfile.ZipFile(wheel).read(points).decode()
    for line in ("[deeplybook.readers]", "newsdeeply = deeplybook.readers.newsdeeply", "[deeplybook.writers]",
                 "pdf = deeplybook.writers:PDF", "[deeplybook.themes]", "default = deeplybook.themes:default_folder"):
        assert line in groups.splitlines()


def test_installed_wheel_builds_the_sample_with_its_own_themes(wheel, tmp_path, epubcheck):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    script = (
        "import deeplybook, deeplybook.themes as t, sys;"
        "print(deeplybook.__file__); print(t.builtin_root());"
        "from importlib.metadata import entry_points as e;"
        "assert sorted(p.name for p in e(group='deeplybook.writers')) == ['epub', 'pdf'];"
        "from deeplybook.cli import main; main(['--format', 'epub'])"
    )
    # The wheel's copy comes first on the path, ahead of any source checkout.
    done = subprocess.run([sys.executable, "-c", script], cwd=work, env={"PYTHONPATH": str(site), "PATH": ""},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    package_file, theme_root = done.stdout.splitlines()[:2]
    assert package_file.startswith(str(site)) and theme_root == str(site / "deeplybook" / "_themes")
    epubcheck(work / "build" / "syria-deeply-sample.epub")
