"""Which files a case may keep, told by what they hold rather than by what they are called.

A file's name can say anything: a program renamed ``consent.pdf`` would otherwise sit in a
child's record waiting for someone to double-click it. So a file is accepted only when its
first bytes (its "magic") are those of an allowed kind, and its name's extension is one of
that kind's; a mismatch is refused with both named, so the person knows which to fix.

No Qt and no SQL: the service and the tab's drop check share these rules.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

DEFAULT_MAX_MB = 20
MAX_MB_RANGE = (1, 200)
MAX_DESCRIPTION_CHARS = 500
MAX_NAME_CHARS = 255
MB = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    label: str  # as the list shows it: "PDF", "Word document"
    media_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
PNG = FileKind("PNG image", "image/png", (".png",))
JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
HEIC = FileKind("HEIC image (iPhone photo)", "image/heic", (".heic", ".heif"))
DOCX = FileKind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
DOC = FileKind("Word 97-2003 document", "application/msword", (".doc",))
ODT = FileKind("OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
TXT = FileKind("Text file", "text/plain", (".txt",))

KINDS: tuple[FileKind, ...] = (PDF, PNG, JPEG, HEIC, DOCX, DOC, ODT, TXT)
_BY_MEDIA_TYPE = {kind.media_type: kind for kind in KINDS}

#: In words, for refusals and the file dialog's hint.
ALLOWED_WORDS = "PDF, PNG or JPEG images, HEIC photos, Word documents (.docx, .doc), .odt or .txt"

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"


def kind_of_media_type(media_type: str) -> FileKind | None:
    return _BY_MEDIA_TYPE.get(media_type)


def kind_label(media_type: str) -> str:
    kind = kind_of_media_type(media_type)
    return kind.label if kind else media_type


def sniff(data: bytes) -> FileKind | None:
    """The allowed kind these bytes are, or None. Word's .docx is a zip holding
    ``word/document.xml``; any other zip (an .xlsx, a folder of who-knows-what) is not one."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return HEIC
    if data.startswith(_OLE2):
        return DOC
    if data.startswith(b"PK\x03\x04"):
        if data[30 : 30 + len(_ODT_MIMETYPE)] == _ODT_MIMETYPE:
            return ODT
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        return DOCX if "word/document.xml" in names else None
    if _is_text(data):
        return TXT
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def clean_file_name(name: str) -> str:
    """The name as given, without any folder part or control characters (it becomes a file
    name again when saved or opened); kept within the column's length, extension intact."""
    name = re.split(r"[\\/]", name.strip())[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    name = name.strip().lstrip(".")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_NAME_CHARS - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and keep > 0 else name[:MAX_NAME_CHARS]
    return name


def extension_of(name: str) -> str:
    _stem, dot, extension = name.rpartition(".")
    return f".{extension.lower()}" if dot else ""


def format_size(size_bytes: int) -> str:
    """As the list shows sizes: "940 bytes", "312 KB", "4.7 MB" (1 KB = 1,024 bytes)."""
    if size_bytes < 1024:
        return f"{size_bytes:,} bytes"
    if size_bytes < MB:
        return f"{max(1, round(size_bytes / 1024)):,} KB"
    return f"{size_bytes / MB:,.1f} MB"


def file_problems(
    name: str, data: bytes, max_bytes: int, description: str = ""
) -> tuple[FileKind | None, dict[str, str]]:
    """The kind of an offered file, or the problems refusing it (by field), each naming the
    file and what would be accepted."""
    problems: dict[str, str] = {}
    shown = name or "The file"
    if not name:
        problems["file_name"] = "Give the file a name, for example consent-form.pdf."
    if len(description) > MAX_DESCRIPTION_CHARS:
        problems["description"] = (
            f"Keep the description under {MAX_DESCRIPTION_CHARS} characters "
            f"(it has {len(description)})."
        )
    if not data:
        problems["file"] = f"{shown} is empty (0 bytes): choose the file again, or a copy of it."
        return None, problems
    if len(data) > max_bytes:
        problems["file"] = (
            f"{shown} is {format_size(len(data))}, over the limit of "
            f"{format_size(max_bytes)}. Scan it at a lower resolution or split it; a manager "
            "can raise the limit in Settings."
        )
        return None, problems
    kind = sniff(data)
    if kind is None:
        problems["file"] = (
            f"{shown} is not a kind of file a case can keep. Allowed: {ALLOWED_WORDS}."
        )
        return None, problems
    extension = extension_of(name)
    if name and extension not in kind.extensions:
        said = f"ends in {extension}" if extension else "has no extension"
        problems["file"] = (
            f"{shown} {said} but holds a {kind.label}: rename it to end in "
            f"{kind.extensions[0]}, or choose the file you meant."
        )
    return kind, problems
