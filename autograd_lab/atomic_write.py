"""Write a file so that a reader sees the old one or the new one, never half of it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    The temporary file gets the umask's permissions and is removed if the write fails. Text
    that is no valid Unicode (a student folder's name in another encoding) is written with
    backslash escapes rather than refused.

    Raises:
        OSError: the folder cannot be written.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
