"""Errors of the run store; the CLI turns them into one-line messages."""


class StoreError(RuntimeError):
    """The run store cannot do what was asked."""


class RunNotFoundError(StoreError, KeyError):
    """No run, or more than one, matches the id given."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class AnalysisNotFoundError(StoreError, KeyError):
    """No analysis, or more than one, matches the id given."""

    def __str__(self) -> str:
        return str(self.args[0])


class FitNotFoundError(StoreError, KeyError):
    """No fit, or more than one, matches the id given."""

    def __str__(self) -> str:
        return str(self.args[0])


class StoreBusyError(StoreError):
    """Another process holds the store's write lock for too long."""
