"""Writing workbooks: reproducible bytes and atomic replacement.

openpyxl stamps the current time into ``docProps/core.xml`` and into every zip entry, so
two saves of the same content differ. The secretariat must be able to show that the same
inputs give the same file, hence :func:`workbook_bytes` pins both.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_W3C_TIME = "2020-01-01T00:00:00Z"
_CORE_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def workbook_bytes(workbook: Workbook) -> bytes:
    """Serialise ``workbook`` to xlsx bytes that depend only on its content."""
    raw = io.BytesIO()
    workbook.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _CORE_TIMESTAMP.sub(
                    rb"\g<1>" + _FIXED_W3C_TIME.encode() + rb"\g<2>", data
                )
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return out.getvalue()


def ecrire_atomiquement(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    An interrupted write leaves the previous file untouched: the rename is atomic on POSIX
    and on Windows (``os.replace``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
