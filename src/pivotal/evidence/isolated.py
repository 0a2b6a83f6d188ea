"""Documents read in a process of their own, which can be stopped.

The readers check their budget between pages and pieces of text, but a file can be built so that
one step never ends: Python's HTML parser rescans unfinished markup (``<a x="``, ``</p`` without
``>``, ...) from the start at every step, which is quadratic, and one PDF page can ask for hours.
No check between steps stops that, and a thread cannot be stopped from outside; a process can.
So each document is read in a worker process that has a hard deadline and a memory ceiling: past
either, the worker is killed, the file is refused with the reason, and a fresh worker reads the
next one.  One worker serves a whole batch, so a folder of files pays for one start.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

from pivotal.evidence import budget
from pivotal.evidence.errors import UnreadableDocument
from pivotal.evidence.readers import read_document
from pivotal.evidence.records import ReadDocument

#: Seconds the worker is given beyond the reading budget, to start and send its answer back.
GRACE_SECONDS = 2.0
#: Whether documents can be read apart: a POSIX system passes the worker its pipes and caps its
#: memory; elsewhere they are read in this process, with the checks between steps only.
AVAILABLE = os.name == "posix"


def _serve(requests: Connection, answers: Connection) -> None:
    """The worker: read each path it is sent with the limits sent along, answer, repeat."""
    import resource

    capped = False
    while True:
        try:
            request = requests.recv()
        except EOFError:
            return
        if request is None:
            return
        path, limits = request
        limits.apply()
        if not capped:
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
            capped = True
        try:
            answer: tuple[str, Any] = ("read", read_document(Path(path)))
        except UnreadableDocument as err:
            answer = ("unreadable", str(err))
        except MemoryError:
            answer = ("unreadable", f"needs more than {limits.memory / 1024**3:g} GB of memory to read")
        except Exception as err:  # a reader's bug must not stop the rest of the batch
            answer = ("unreadable", f"could not be read ({type(err).__name__}: {err})")
        answers.send(answer)


class IsolatedReader:
    """Reads documents in a worker process with a hard deadline; use as a context manager.

    The worker is a fresh interpreter (``python -m pivotal.evidence.isolated``) talking over two
    pipes of its own, so it depends neither on how this process was started nor on its threads.

    Examples
    --------
    >>> with IsolatedReader() as reader:          # doctest: +SKIP
    ...     read = reader.read(Path("report.html"))
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: Connection | None = None
        self._answers: Connection | None = None

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def read(self, path: Path) -> ReadDocument:
        """Read ``path`` as :func:`~pivotal.evidence.readers.read_document` does, within the
        budget's limits as they stand now; UnreadableDocument past them."""
        if not AVAILABLE:
            return read_document(path)
        limits = budget.Limits.current()
        requests, answers = self._worker()
        try:
            requests.send((str(path), limits))
            answered = answers.poll(limits.seconds + GRACE_SECONDS)
            kind, value = answers.recv() if answered else ("late", None)
        except (EOFError, OSError):
            kind, value = "stopped", None
        if kind == "read":
            return value
        if kind == "unreadable":
            raise UnreadableDocument(value)
        self._stop()
        if kind == "late":
            raise UnreadableDocument(
                f"still not read after {limits.seconds:g} s; this file is built in a way the reader "
                "cannot get through (save it again as plain text or a simpler PDF)")
        raise UnreadableDocument(f"the reader stopped while reading it (more than "
                                 f"{limits.memory / 1024**3:g} GB of memory?)")

    def close(self) -> None:
        """Let the worker finish; stop it if it does not within a second."""
        if self._requests is not None:
            with contextlib.suppress(OSError):
                self._requests.send(None)
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(1.0)
        self._stop()

    def _worker(self) -> tuple[Connection, Connection]:
        if self._requests is None or self._answers is None:
            request_read, request_write = os.pipe()
            answer_read, answer_write = os.pipe()
            package_root = str(Path(__file__).resolve().parents[2])
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                p for p in (package_root, os.environ.get("PYTHONPATH")) if p)}
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "pivotal.evidence.isolated", str(request_read),
                     str(answer_write)],
                    pass_fds=(request_read, answer_write), env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            finally:
                os.close(request_read)
                os.close(answer_write)
            self._requests = Connection(request_write, readable=False)
            self._answers = Connection(answer_read, writable=False)
        return self._requests, self._answers

    def _stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for connection in (self._requests, self._answers):
            if connection is not None:
                connection.close()
        self._process, self._requests, self._answers = None, None, None


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
