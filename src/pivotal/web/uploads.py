"""Uploaded scenarios, validated once and kept in memory so a run can name them by id.

The server never writes an upload to disk and never reads a path a client
sends: an upload is text in, a validated Scenario out, or a located error.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from pathlib import PurePosixPath

from pivotal.scenario import Scenario, parse_scenario
from pivotal.scenario.loader import decode_document

DEFAULT_NAME = "upload.yaml"
#: Kept in a name: letters and digits of any script and a few marks; the rest becomes "_".
_UNSAFE = re.compile(r"[^\w.\-()\[\] +,]")


class UploadNotFound(KeyError):
    """No upload with that id (the server restarted, or it was evicted)."""


def upload_name(filename: str | None) -> str:
    """The file's own name, cleaned for use in messages: no folders, no control characters."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = _UNSAFE.sub("_", name).strip()[:100]
    return name or DEFAULT_NAME


class UploadCache:
    """The last ``keep`` uploaded scenarios, by a content id."""

    def __init__(self, keep: int = 32) -> None:
        self.keep = keep
        self._items: OrderedDict[str, Scenario] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, data: bytes, filename: str | None) -> tuple[str, Scenario]:
        """Validate an upload; returns its id and scenario, or raises a located ScenarioError."""
        source = upload_name(filename)
        text = decode_document(data, source)
        scenario = parse_scenario(text, source=source)
        upload_id = hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()[:16]
        with self._lock:
            self._items[upload_id] = scenario
            self._items.move_to_end(upload_id)
            while len(self._items) > self.keep:
                self._items.popitem(last=False)
        return upload_id, scenario

    def get(self, upload_id: str) -> Scenario:
        with self._lock:
            try:
                return self._items[upload_id]
            except KeyError:
                raise UploadNotFound(upload_id) from None
