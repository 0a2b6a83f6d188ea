"""One transaction on a store connection: all of its writes are kept, or none."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Commit what the block writes when it ends normally; roll it all back when it raises."""
    connection.execute("BEGIN TRANSACTION")
    try:
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        roll_back(connection)
        raise


def roll_back(connection: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction; when the failure already ended it, say nothing, so the error
    that matters (a full disk, say) is the one raised."""
    with contextlib.suppress(duckdb.Error):
        connection.execute("ROLLBACK")
