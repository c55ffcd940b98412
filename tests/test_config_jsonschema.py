"""The edition file's JSON Schema: committed as generated, and it says yes and no where the loader does."""

import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import jsonschema
import pytest

from deeplybook import config
from deeplybook.config import jsonschema as edition_schema
from deeplybook.errors import ConfigError
from deeplybook.log import counting_warnings

REPO = Path(__file__).resolve().parent.parent
PUBLISHED = REPO / edition_schema.PUBLISHED


def as_json(value):
    """A parsed TOML value as an editor hands it to a JSON Schema: dates become ISO strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def problems(text: str) -> list[str]:
    validator = jsonschema.Draft7Validator(edition_schema.schema(), format_checker=jsonschema.FormatChecker())
    return [f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(as_json(tomllib.loads(text)))]


def test_the_committed_schema_is_the_generated_one():
    assert PUBLISHED.read_text("utf-8") == edition_schema.dumps(), (
        "docs/schema/edition.schema.json is stale: python -m deeplybook.config.jsonschema "
        "docs/schema/edition.schema.json")


def test_the_module_writes_the_schema_to_a_file_or_standard_output(tmp_path):
    target = tmp_path / "edition.schema.json"
    run = subprocess.run([sys.executable, "-m", "deeplybook.config.jsonschema", str(target)],
                         capture_output=True, text=True, check=True)
    assert run.stdout == ""
    assert target.read_text("utf-8") == PUBLISHED.read_text("utf-8")
    printed = subprocess.run([sys.executable, "-m", "deeplybook.config.jsonschema"],
                             capture_output=True, text=True, check=True)
    assert json.loads(printed.stdout) == json.loads(PUBLISHED.read_text("utf-8"))
    assert edition_schema.main(["a", "b"]) == 2


def test_the_schema_is_valid_and_names_every_key_of_the_loader():
    schema = edition_schema.schema()
    jsonschema.Draft7Validator.check_schema(schema)
    for table, keys in config.SCHEMA.items():
        node = schema
        for part in table.split("."):
            node = node["properties"][part]
        assert node["additionalProperties"] is False
        assert set(node["properties"]) == set(keys), table
        for key in keys:
            assert node["properties"][key].get("description"), f"{table}.{key} has no description"


def test_a_key_of_the_loader_without_an_entry_stops_the_generator(monkeypatch):
    monkeypatch.setitem(config.SCHEMA, "group", (*config.SCHEMA["group"], "colour"))
    with pytest.raises(KeyError, match=r"no entry for \['group.colour'\]"):
        edition_schema.schema()


@pytest.mark.parametrize("path", sorted((REPO / "examples" / "editions").glob("*.toml"))
                         + sorted((REPO / "tests" / "samples" / "editions").glob("*.toml")), ids=lambda p: p.name)
def test_the_example_editions_are_valid(path):
    assert problems(path.read_text("utf-8")) == []


def test_every_key_of_the_starter_file_is_valid_once_uncommented():
    text = config.starter("T", ("pages",))
    uncommented = re.sub(r"(?m)^# (?=\[[a-z.]+\]|[a-z_]+ = )", "", text)
    assert uncommented.count("\n[") > text.count("\n["), "no table was uncommented"
    keys = re.findall(r"(?m)^([a-z_]+) = ", uncommented)
    assert len(keys) > 40
    # volumes.by and volumes.max_articles may not go together (the loader says so); each alone is valid.
    assert problems(uncommented) == []


BASE = """
[book]
title = "T"
[sources]
paths = ["pages"]
"""

# (table, key = value): the loader and the schema both accept it, or both refuse it.
CASES = [
    ("book", 'language = "ar-SY"', True),
    ("book", 'language = "arabic!"', False),
    ("book", 'creators = "A. Person"', True),
    ("book", 'creators = [{name = "A", role = "translator"}]', True),
    ("book", 'creators = [{name = "A", role = "painter"}]', False),
    ("book", 'creators = [{name = "A", email = "a@example.org"}]', False),
    ("book", "date = 2020-05-01T10:00:00Z", True),
    ("book", "series_position = true", False),
    ("book", 'title = ""', False),
    ("sources", 'max_file_size = "200MB"', True),
    ("sources", 'max_file_size = "64MiB"', True),
    ("sources", "max_file_size = 1000", True),
    ("sources", 'max_file_size = "5i"', False),
    ("sources", 'max_file_size = "lots"', False),
    ("sources", "allow_remote = 1", False),
    ("select", "from = 2017-01-01", True),
    ("select", 'kinds = "q&a"', True),
    ("select", 'kinds = ["oped"]', False),
    ("select", "topics = 3", False),
    ("group", 'by = ["year", "topic"]', True),
    ("group", 'by = "none"', True),
    ("group", 'by = ["decade"]', False),
    ("group", 'order = "date-desc"', True),
    ("group", 'order = "random"', False),
    ("volumes", 'by = "month"', False),
    ("volumes", "max_articles = 0", False),
    ("back", "indexes = []", True),
    ("back", 'indexes = ["places"]', False),
    ("output", 'stem = "sub/name"', False),
    ("output", 'stem = ".hidden"', False),
    ("output", 'formats = "pdf"', True),
    ("output", 'formats = ["mobi"]', False),
    ("output", "toc_depth = 0", False),
    ("output", "jobs = 2.5", False),
    ("print", 'trim = "6x9"', True),
    ("print", 'trim = "b5"', False),
    ("print", "bleed = 3", True),
    ("print", "bleed = 25", False),
    ("print", "paper = 0.01", False),
    ("print", 'pdf_variant = "pdf/x-4"', True),
    ("print", 'pdf_variant = "pdf/a-1b"', False),
    ("run", 'scheduler = "local:2"', True),
    ("run", 'scheduler = "tcp://127.0.0.1:8786"', True),
    ("run", 'scheduler = "local:0"', False),
    ("run", 'scheduler = "my-cluster"', False),
]


@pytest.mark.parametrize("table, line, valid", CASES, ids=[f"{t}.{line}" for t, line, _ in CASES])
def test_the_schema_and_the_loader_agree(tmp_path, table, line, valid):
    (tmp_path / "pages").mkdir()
    if line.startswith("title ="):
        text = BASE.replace('title = "T"', line)
    elif table in ("book", "sources"):
        text = BASE.replace(f"[{table}]\n", f"[{table}]\n{line}\n")
    else:
        text = f"{BASE}[{table}]\n{line}\n"
    path = tmp_path / "edition.toml"
    path.write_text(text, "utf-8")
    try:
        config.load(path)
        loaded = True
    except ConfigError:
        loaded = False
    assert loaded is valid, f"the loader {'refuses' if valid else 'accepts'} {table}.{line}"
    assert (problems(text) == []) is valid, problems(text)


def test_an_unknown_key_is_a_warning_to_the_loader_and_an_error_to_the_schema(tmp_path):
    (tmp_path / "pages").mkdir()
    text = BASE + textwrap.dedent("""
        [output]
        colour = "red"
    """)
    path = tmp_path / "edition.toml"
    path.write_text(text, "utf-8")
    with counting_warnings() as warnings:
        config.load(path)
    assert warnings.counts == {"config-unknown-key": 1}
    assert problems(text) == ["output: Additional properties are not allowed ('colour' was unexpected)"]
