"""Small documents for the evidence tests: the files in data/evidence and a PDF built here."""

from __future__ import annotations

import shutil
from pathlib import Path

DATA = Path(__file__).parent / "data" / "evidence"

PDF_LINES = [
    "Pivotia kept a garrison in Targetia through the winter of 2002 and",
    "warned Challengia twice about the ridge.",
    "",
    "Patronia answered in kind on 4 March 2003.",
]


def minimal_pdf(
    lines: list[str], title: str = "", author: str = "", created: str = "D:20210304120000Z"
) -> bytes:
    """A one-page PDF with the lines in Helvetica and an /Info dictionary, byte offsets exact."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td"]
    for i, line in enumerate(lines):
        if i:
            ops.append("T*")
        if line:
            ops.append(f"({escape(line)}) Tj")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({escape(title)}) /Author ({escape(author)}) /CreationDate ({created}) >>".encode(
            "latin-1"
        ),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_library(folder: Path, unreadable: bool = True) -> Path:
    """A folder of one document per format, plus unreadable ones when asked; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in DATA.iterdir():
        shutil.copy(source, folder / source.name)
    (folder / "report.pdf").write_bytes(minimal_pdf(PDF_LINES, title="Garrison report", author="A. Tester"))
    if unreadable:
        (folder / "latin1.txt").write_bytes("Pivotia’s café".encode("cp1252"))
        (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF at all\n")
        (folder / "junk.md").write_bytes(bytes(range(256)) * 4)
    return folder
