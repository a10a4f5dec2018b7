"""Which files a message may carry, and what a file really is (read from its content).

The type is found from the bytes (the `filetype` library's signatures), never from the
name or the type the browser claims; both must then agree with it. Office documents are
zip archives: a Word, Excel or PowerPoint file must hold `[Content_Types].xml` and its
main part, an OpenDocument file its `mimetype` member naming the right type. Plain text
has no signature: it is text when it decodes as UTF-8 and holds no control characters.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype


@dataclass(frozen=True)
class Filtype:
    content_type: str
    endelser: tuple[str, ...]
    navn: str
    # for a zip-based document: the member that must exist, and (OpenDocument) the
    # content of the `mimetype` member
    del_: str = ""
    odf: bool = False


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

TILLADTE: dict[str, Filtype] = {
    t.content_type: t
    for t in (
        Filtype("application/pdf", ("pdf",), "PDF"),
        Filtype("image/png", ("png",), "PNG-billede"),
        Filtype("image/jpeg", ("jpg", "jpeg"), "JPEG-billede"),
        Filtype("image/gif", ("gif",), "GIF-billede"),
        Filtype("image/webp", ("webp",), "WebP-billede"),
        Filtype(DOCX, ("docx",), "Word-dokument", del_="word/document.xml"),
        Filtype(XLSX, ("xlsx",), "Excel-regneark", del_="xl/workbook.xml"),
        Filtype(PPTX, ("pptx",), "PowerPoint-præsentation", del_="ppt/presentation.xml"),
        Filtype(ODT, ("odt",), "OpenDocument-tekst", odf=True),
        Filtype(ODS, ("ods",), "OpenDocument-regneark", odf=True),
        Filtype("text/plain", ("txt",), "tekstfil"),
    )
}
"""The allowed types by content type."""

# What a browser may claim without naming the real type (it does not know it).
UBESTEMTE = frozenset({"", "application/octet-stream", "binary/octet-stream"})
# Claims some browsers send for these types (the claim must still fit the content).
ALIASER = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
    "application/zip": "",  # some send zip for office documents: no claim
    "application/x-zip-compressed": "",
}


def _er_tekst(indhold: bytes) -> bool:
    try:
        tekst = indhold.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in tekst)


def _zipdel(indhold: bytes, t: Filtype) -> bool:
    """Return whether a zip archive holds the members that make it a document of type t."""
    try:
        with zipfile.ZipFile(io.BytesIO(indhold)) as z:
            navne = set(z.namelist())
            if t.odf:
                return "mimetype" in navne and z.read("mimetype").strip() == t.content_type.encode()
            return "[Content_Types].xml" in navne and t.del_ in navne
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return False


def find_type(indhold: bytes) -> Filtype | None:
    """Return the allowed type the content is, or None (not an allowed type)."""
    gaet = filetype.guess(indhold)
    if gaet is None:
        return TILLADTE["text/plain"] if _er_tekst(indhold) else None
    t = TILLADTE.get(gaet.mime)
    if t is None:
        return None
    if (t.del_ or t.odf) and not _zipdel(indhold, t):
        return None
    return t


def endelse(filnavn: str) -> str:
    """Return the file name's extension in lower case, without the dot ('' when none)."""
    _, punktum, rest = filnavn.rpartition(".")
    return rest.lower() if punktum else ""


def passer_paastand(t: Filtype, paastaaet: str) -> bool:
    """Return whether the type the browser claimed fits the type found in the content."""
    paastaaet = paastaaet.split(";")[0].strip().lower()
    paastaaet = ALIASER.get(paastaaet, paastaaet)
    return paastaaet in UBESTEMTE or paastaaet == t.content_type
