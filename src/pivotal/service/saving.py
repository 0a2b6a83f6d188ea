"""Recording finished work in the run store without ever throwing it away for want of the lock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from pivotal.store import RunStore, StoreBusyError

T = TypeVar("T")

#: Told why a finished result waits for the store (another process holds it past its lock timeout).
OnBusy = Callable[[str], None]

#: Seconds a waiting result holds out for the lock before asking again whether it is still wanted.
WAIT_SLICE = 1.0

#: Asked between tries whether a waiting result is no longer wanted (a cancelled web job).
_GIVE_UP: ContextVar[Callable[[], bool] | None] = ContextVar("give_up", default=None)


@contextmanager
def giving_up_when(wanted_no_longer: Callable[[], bool]) -> Iterator[None]:
    """Within the block (in this thread), a result waiting for a busy store stops waiting, and its
    StoreBusyError is raised, once ``wanted_no_longer()`` is true: a worker that waits forever would
    hold its place in a server's pool and its shutdown."""
    token = _GIVE_UP.set(wanted_no_longer)
    try:
        yield
    finally:
        _GIVE_UP.reset(token)


def patiently(record: Callable[[RunStore], T], store: RunStore, what: str, on_busy: OnBusy | None) -> T:
    """``record(store)``; when the store is held by another process past its lock timeout and
    ``on_busy`` is given, ``on_busy`` is told why and ``record`` waits for the store as long as it
    takes (Ctrl-C gives it up; so does :func:`giving_up_when`).  Without ``on_busy`` StoreBusyError
    is raised: a library caller keeps its own timeout."""
    try:
        return record(store)
    except StoreBusyError as busy:
        if on_busy is None:
            raise
        on_busy(f"{busy} The finished {what} waits to be recorded (Ctrl-C gives it up).")
        give_up = _GIVE_UP.get()
        if give_up is None:
            return record(store.patient())
        while not give_up():
            try:
                return record(RunStore(store.path, lock_timeout=WAIT_SLICE))
            except StoreBusyError:
                continue
        raise
