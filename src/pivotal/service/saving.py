"""Recording finished work in the run store without ever throwing it away for want of the lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pivotal.store import RunStore, StoreBusyError

T = TypeVar("T")

#: Told why a finished result waits for the store (another process holds it past its lock timeout).
OnBusy = Callable[[str], None]


def patiently(record: Callable[[RunStore], T], store: RunStore, what: str, on_busy: OnBusy | None) -> T:
    """``record(store)``; when the store is held by another process past its lock timeout and
    ``on_busy`` is given, ``on_busy`` is told why and ``record`` waits for the store as long as it
    takes (Ctrl-C gives it up).  Without ``on_busy`` StoreBusyError is raised: a library caller keeps
    its own timeout."""
    try:
        return record(store)
    except StoreBusyError as busy:
        if on_busy is None:
            raise
        on_busy(f"{busy} The finished {what} waits to be recorded (Ctrl-C gives it up).")
        return record(store.patient())
