"""The one exception a user's scenario mistake raises."""

from __future__ import annotations


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
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.field = field
        self.expected = expected
        self.found = found
        self.more = more
        super().__init__(self._message())

    def _message(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.field or '(document)'}: expected {self.expected}, found {self.found}"
        if self.more:
            text += f" (and {self.more} more problem{'s' if self.more > 1 else ''})"
        return text
