"""The one exception a user's scenario mistake raises."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


class ScenarioError(ValueError):
    """A scenario or overlay that cannot be used, located in its file.

    Attributes name the file (or ``<string>``), 1-based line and column, the
    dotted field path, what was expected and what was found, so the message
    tells the user where to look and what to write instead.
    """

    def __init__(
        self,
        *,
        source: str,
        line: int | None,
        column: int | None,
        field: str,
        expected: str,
        found: str,
        more: int = 0,
        others: Sequence[ScenarioError] = (),
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.field = field
        self.expected = expected
        self.found = found
        self.others = list(others)  # the further problems found at the same stage, located
        self.more = more or len(self.others)
        super().__init__(self._message())

    def __reduce__(self) -> tuple:  # keyword-only arguments: say how to build it again
        return (
            _rebuild,
            (
                self.source,
                self.line,
                self.column,
                self.field,
                self.expected,
                self.found,
                self.more,
                self.others,
            ),
        )

    @property
    def problems(self) -> list[ScenarioError]:
        """This problem and every other one found with it, each a located error of its own."""
        return [self, *self.others]

    def located(self) -> str:
        """The message without the count of further problems."""
        return self._message(count=False)

    def _message(self, count: bool = True) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.field or '(document)'}: expected {self.expected}, found {self.found}"
        if self.more and count:
            text += f" (and {self.more} more problem{'s' if self.more > 1 else ''})"
        return text


def _rebuild(
    source: str,
    line: int | None,
    column: int | None,
    field: str,
    expected: str,
    found: str,
    more: int,
    others: list[ScenarioError],
) -> ScenarioError:
    return ScenarioError(
        source=source,
        line=line,
        column=column,
        field=field,
        expected=expected,
        found=found,
        more=more,
        others=others,
    )


def one_of(every: str, kind: str, names: Sequence[str], found: str) -> str:
    """What an unknown name should have been: ``kind`` and the known names close to ``found`` when
    there are some (a typo: ``patron_sheild``), else ``every`` (which lists them all)."""
    close = difflib.get_close_matches(found, names, n=3, cutoff=0.75)
    if close:
        return f"{kind} (did you mean {' or '.join(repr(name) for name in close)}?)"
    return every
