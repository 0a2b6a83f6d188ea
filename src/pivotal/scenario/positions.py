"""Read a YAML document once, keeping where each value sits so errors can name a line.

The document is parsed (with libyaml's parser where PyYAML has it) and composed into
a node tree, the tree is walked once to index the mark (line, column) of every path a
validator reports, and only then is it turned into Python data.  Composing and the walk
refuse what a hand-written scenario never needs and a hostile file could abuse: nesting
deeper than :data:`MAX_DEPTH` and lists or mappings used as keys (refused by the composer
before they are read), anchors and aliases (a few lines of them can expand to billions of
values), and keys given twice (PyYAML would silently keep the last).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError

Path = tuple[str | int, ...]

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists a document may have (scenarios need about 6)."""

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class DuplicateKey:
    path: Path
    first: Mark
    second: Mark


class DocumentShapeError(Exception):
    """A well-formed YAML document with a shape scenarios refuse (aliases, deep nesting)."""

    def __init__(self, path: Path, mark: Mark, expected: str, found: str) -> None:
        super().__init__(f"{mark.line}:{mark.column}: expected {expected}, found {found}")
        self.path = path
        self.mark = mark
        self.expected = expected
        self.found = found


@dataclass(frozen=True)
class Document:
    """A parsed document: its data, the mark of every path, and keys given twice."""

    data: Any
    positions: dict[Path, Mark]
    duplicates: list[DuplicateKey]


class _ShallowComposer(Composer):
    """PyYAML's composer, refusing deep nesting and collection keys before reading them.

    libyaml's own composer recurses in C: some builds stop at 1,000 levels, others
    overflow the stack and end the process.  This one runs in Python over the same
    parser's events, so the limits are the same whichever PyYAML is installed.
    """

    def __init__(self) -> None:
        Composer.__init__(self)  # explicitly: after this class the MRO may reach a loader's __init__
        self._path: list[str | int] = []

    def compose_node(self, parent: yaml.Node | None, index: int | yaml.Node | None) -> yaml.Node:
        """Compose one node, keeping the path to it; ``index`` is None while a key is composed."""
        if parent is None:
            return super().compose_node(parent, index)
        # libyaml's parser matches event classes exactly, so both kinds are named
        opens = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if index is None:  # a mapping's key: a scalar, else refused before it is read
            if opens:
                kind = "list" if self.check_event(yaml.SequenceStartEvent) else "mapping"
                raise DocumentShapeError(
                    tuple(self._path),
                    self._next_mark(),
                    "a plain key (a name or a number)",
                    f"a {kind} used as a key",
                )
            return super().compose_node(parent, index)
        # a list item's index, or the key (always a scalar, see above) of a mapping's value
        self._path.append(index.value if isinstance(index, yaml.ScalarNode) else int(index))
        try:
            if opens and len(self._path) >= MAX_DEPTH:
                raise DocumentShapeError(
                    tuple(self._path),
                    self._next_mark(),
                    f"at most {MAX_DEPTH} levels of nesting",
                    "deeper nesting",
                )
            return super().compose_node(parent, index)
        finally:
            self._path.pop()

    def _next_mark(self) -> Mark:
        start = self.peek_event().start_mark
        return Mark(start.line + 1, start.column + 1)


class _Loader(_ShallowComposer, _BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader (libyaml's parser where PyYAML has it) with the composer above, whose scalar
    constructors report bad values at their mark."""

    def __init__(self, stream: str) -> None:
        _BaseLoader.__init__(self, stream)
        _ShallowComposer.__init__(self)


def _located(tag: str, what: str) -> None:
    """Wrap the safe constructor of ``tag`` so a value it cannot build is a located YAML error."""
    construct = _Loader.yaml_constructors[tag]

    def checked(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as err:
            value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            reason = "too many digits" if "digits" in str(err) else str(err)
            raise ConstructorError(
                None, None, f"{value!r} is not a valid {what} ({reason})", node.start_mark
            ) from err

    _Loader.add_constructor(tag, checked)


_located("tag:yaml.org,2002:int", "integer")
_located("tag:yaml.org,2002:float", "number")


_build_date = _Loader.yaml_constructors["tag:yaml.org,2002:timestamp"]


def _date_or_text(loader: Any, node: yaml.Node) -> Any:
    """A date YAML can build, else its text: the schema then says which field wants a real date
    (``2022-13-01`` is a date-shaped mistake in a field, not malformed YAML)."""
    try:
        return _build_date(loader, node)
    except (ValueError, OverflowError):
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)


def read_yaml(text: str) -> Document:
    """Parse ``text`` into data and positions.

    Raises
    ------
    yaml.YAMLError
        The text is not well-formed YAML, or a scalar cannot be built.
    DocumentShapeError
        The document uses aliases or nests deeper than :data:`MAX_DEPTH`.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return Document(None, {}, [])
        positions, duplicates = _index(root)
        return Document(loader.construct_document(root), positions, duplicates)
    except yaml.MarkedYAMLError as err:
        if (
            isinstance(err, yaml.scanner.ScannerError | yaml.parser.ParserError)
            and "maximum nesting depth" in str(err.problem)
            and err.problem_mark is not None
        ):
            # libyaml's own limit, met first where its scanner reads ahead through a flow list
            mark = Mark(err.problem_mark.line + 1, err.problem_mark.column + 1)
            raise DocumentShapeError(
                (), mark, f"at most {MAX_DEPTH} levels of nesting", "deeper nesting"
            ) from None
        raise _clearer_syntax_error(text, err) or err from None
    finally:
        loader.dispose()


YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _clearer_syntax_error(text: str, err: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError | None:
    """The pure-Python parser's account of libyaml's syntax error, which names what it found instead.

    Only the lines up to the error are parsed, as events (no node tree), and the parser is
    stopped as soon as the nesting passes :data:`MAX_DEPTH`: its scanner slows down with the
    square of the nesting, and a document that deep is refused anyway.  Its account is used
    when it places the error on the same line.
    """
    mark = err.problem_mark
    if _BaseLoader is yaml.SafeLoader or mark is None:
        return None
    breaks = [m.end() for m in YAML_LINE_BREAK.finditer(text)]
    prefix = text[: breaks[mark.line]] if mark.line < len(breaks) else text
    depth = 0
    try:
        for event in yaml.parse(prefix, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return None
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as clearer:
        if clearer.problem_mark is not None and clearer.problem_mark.line == mark.line:
            return clearer
    except yaml.YAMLError:
        return None
    return None


def reader_offset(text: str, position: int) -> int:
    """The character offset of a reader error's position (libyaml counts bytes of UTF-8)."""
    if _BaseLoader is yaml.SafeLoader:
        return position
    return len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _index(root: yaml.Node) -> tuple[dict[Path, Mark], list[DuplicateKey]]:
    """Map every path in the tree to the mark of its key or list item, without recursion."""
    positions: dict[Path, Mark] = {(): _mark(root)}
    duplicates: list[DuplicateKey] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            raise DocumentShapeError(
                path,
                _mark(node),
                "each value written out where it is used",
                "a value anchored here (&name) and used again (*name)",
            )
        seen.add(id(node))
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            continue
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                positions[(*path, index)] = _mark(item)
                stack.append((item, (*path, index)))
            continue
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "list" if isinstance(key_node, yaml.SequenceNode) else "mapping"
                raise DocumentShapeError(
                    path, _mark(key_node), "a plain key (a name or a number)", f"a {kind} used as a key"
                )
            child = (*path, key_node.value)
            if child in positions:
                duplicates.append(DuplicateKey(child, positions[child], _mark(key_node)))
                continue
            positions[child] = _mark(key_node)
            stack.append((value_node, child))
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
