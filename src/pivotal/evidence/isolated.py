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
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

from pivotal.evidence import budget
from pivotal.evidence.errors import EvidenceError, UnreadableDocument
from pivotal.evidence.readers import read_document
from pivotal.evidence.records import ReadDocument

#: Seconds the worker is given beyond the reading budget to send its answer back, and to start.
GRACE_SECONDS = 2.0
START_SECONDS = 60.0
#: Whether documents can be read apart: a POSIX system passes the worker its pipes; elsewhere
#: they are read in this process, with the checks between steps only.
AVAILABLE = os.name == "posix"
#: Whether the worker's memory can be capped: Linux honours RLIMIT_AS; macOS does not.
MEMORY_CAPPED = sys.platform.startswith("linux")


def _cap_memory(limit: int) -> None:
    """Cap this process's address space at ``limit`` bytes, never above a stricter cap already set."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    caps = [c for c in (limit, soft, hard) if c != resource.RLIM_INFINITY]
    with contextlib.suppress(ValueError, OSError):  # a platform that refuses: no cap
        resource.setrlimit(resource.RLIMIT_AS, (min(caps), hard))


def _serve(requests: Connection, answers: Connection) -> None:
    """The worker: say it is ready, then read each path it is sent with the limits sent along,
    answer, repeat."""
    answers.send("ready")
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
        if not capped and MEMORY_CAPPED:
            _cap_memory(limits.memory)
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
        self._errors: IO[bytes] | None = None  # the worker's standard error, to name a failed start

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def read(self, path: Path) -> ReadDocument:
        """Read ``path`` as :func:`~pivotal.evidence.readers.read_document` does, within the
        budget's limits as they stand now; UnreadableDocument past them."""
        if not AVAILABLE:
            return read_document(path)
        limits = budget.Limits.current()
        if self._process is not None and self._process.poll() is not None:
            self._stop()  # it ended between documents: this one gets a fresh worker, not the blame
        requests, answers = self._worker()
        try:
            requests.send((str(path), limits))
            answered = answers.poll(limits.seconds + GRACE_SECONDS)
            kind, value = answers.recv() if answered else ("late", None)
        except (EOFError, OSError):
            kind, value = "stopped", None
        if kind == "read":
            return cast(ReadDocument, value)  # what the worker sends with "read"
        if kind == "unreadable":
            raise UnreadableDocument(value)
        self._stop()
        if kind == "late":
            raise UnreadableDocument(
                f"still not read after {limits.seconds:g} s; this file is built in a way the reader "
                "cannot get through (save it again as plain text or a simpler PDF)"
            )
        raise UnreadableDocument(
            f"the reader stopped while reading it (more than {limits.memory / 1024**3:g} GB of memory?)"
        )

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
        if self._requests is not None and self._answers is not None:
            return self._requests, self._answers
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        package_root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p),
        }
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the worker's life, closed by _stop
        try:
            # -P: the folder the user works in must not shadow a module the worker imports.
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",
                    "-m",
                    "pivotal.evidence.isolated",
                    str(request_read),
                    str(answer_write),
                ],
                pass_fds=(request_read, answer_write),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        except OSError as err:
            for fd in (request_write, answer_read):
                os.close(fd)
            errors.close()
            raise EvidenceError(f"the document reader could not start: {err}") from err
        finally:
            os.close(request_read)
            os.close(answer_write)
        self._process, self._errors = process, errors
        self._requests = Connection(request_write, readable=False)
        self._answers = Connection(answer_read, writable=False)
        try:
            ready = self._answers.poll(START_SECONDS) and self._answers.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            failure = self._failure()
            self._stop()
            raise EvidenceError(
                f"the document reader (python -m pivotal.evidence.isolated) could not start: {failure}"
            )
        return self._requests, self._answers

    def _failure(self) -> str:
        """The last line the worker wrote to its standard error, or its exit status."""
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(1.0)
        lines: list[str] = []
        if self._errors is not None:
            self._errors.seek(0)
            lines = self._errors.read().decode("utf-8", "replace").strip().splitlines()
        if lines:
            return lines[-1]
        code = self._process.returncode if self._process is not None else None
        return f"it ended with status {code}"

    def _stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for connection in (self._requests, self._answers):
            if connection is not None:
                connection.close()
        if self._errors is not None:
            self._errors.close()
        self._process, self._requests, self._answers, self._errors = None, None, None, None


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
