"""Errors of the evidence store; the CLI turns them into one-line messages.

They derive from :class:`~pivotal.store.StoreError` because the evidence lives in
the run store's DuckDB file, so every command that already reports store errors
reports these too.
"""

from pivotal.store import StoreError


class EvidenceError(StoreError):
    """The evidence store cannot do what was asked."""


class DocumentNotFoundError(EvidenceError, KeyError):
    """No document, or more than one, matches the id given."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class UnreadableDocument(EvidenceError):
    """A file that cannot be turned into passages; the message says why, for the user."""
