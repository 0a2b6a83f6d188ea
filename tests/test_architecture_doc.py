"""docs/architecture.md describes the layers as tests/test_code_quality.py enforces them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_code_quality import ALLOWED

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `([\w]+)` \|.*\| (.+) \|$")


def documented_layers() -> dict[str, set[str]]:
    """Each row of the layer table: the layer and the layers it may import ("nothing": none)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        if match := ROW.match(line):
            imports = match.group(2).strip()
            rows[match.group(1)] = set() if imports == "nothing" else set(re.findall(r"`(\w+)`", imports))
    return rows


def test_every_layer_of_the_import_map_has_its_row():
    rows = documented_layers()
    missing = sorted(set(ALLOWED) - set(rows))
    assert not missing, f"docs/architecture.md has no row for {missing}: add one to its layer table"
    assert not set(rows) - set(ALLOWED), "docs/architecture.md names a layer the import map does not"


def test_each_row_says_what_the_import_map_allows():
    for layer, imports in documented_layers().items():
        expected = ", ".join(f"`{name}`" for name in sorted(ALLOWED[layer])) or "nothing"
        assert imports == ALLOWED[layer], f"docs/architecture.md, layer `{layer}`: write {expected}"


def test_the_picture_is_there_with_its_title():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "](images/architecture.svg)" in text
    picture = (ROOT / "docs" / "images" / "architecture.svg").read_text(encoding="utf-8")
    assert "<title" in picture and "<desc" in picture
