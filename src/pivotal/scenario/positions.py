"""Where each value of a YAML document sits, so errors can name a line.

PyYAML's composer keeps a mark (line, column) on every node; we walk the node
tree once and index marks by the path a validator reports (keys and list
indices).  Duplicate keys, which PyYAML would silently overwrite, are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class DuplicateKey:
    path: Path
    first: Mark
    second: Mark


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def index_positions(text: str) -> tuple[dict[Path, Mark], list[DuplicateKey]]:
    """Map every path in the document to the mark of its key or list item."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    positions: dict[Path, Mark] = {}
    duplicates: list[DuplicateKey] = []
    if root is None:
        return positions, duplicates
    positions[()] = _mark(root)

    def walk(node: yaml.Node, path: Path) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                child = (*path, key)
                if child in positions:
                    duplicates.append(DuplicateKey(child, positions[child], _mark(key_node)))
                    continue
                positions[child] = _mark(key_node)
                walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                positions[(*path, index)] = _mark(item)
                walk(item, (*path, index))

    walk(root, ())
    return positions, duplicates


def locate(positions: dict[Path, Mark], path: Path) -> tuple[Path, Mark | None]:
    """Find the deepest known path along ``path``, skipping validator-only parts.

    Pydantic locations can hold union tags (``'date'``, ``'function-after[...]'``)
    that are not in the document; those are skipped.
    """
    found: Path = ()
    for part in path:
        key = part if isinstance(part, int) else str(part)
        if (*found, key) in positions:
            found = (*found, key)
    return found, positions.get(found)


def dotted(path: Path) -> str:
    """Render ``('parameters', 'balance', 0, 'low')`` as ``parameters.balance[0].low``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text
