"""Worker side: describe an exception raised by student code as plain data.

The description keeps the frames that are in the student's file (and the innermost frame,
wherever it is), so the grading process can say "your file, line 12, in backward".
Student exceptions may be hostile (a ``__str__`` that raises): every access is guarded.
"""

from __future__ import annotations

import os
import traceback

from autograd_lab.sandbox.bounds import MAX_NAME, cut

MAX_MESSAGE = 2000
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _safe_str(value) -> str:
    try:
        text = str(value)
    except BaseException:  # a hostile __str__ must not take the worker down
        text = "<exception message could not be read>"
    return cut(text, MAX_MESSAGE)


def describe(exc: BaseException, student_file: str) -> dict:
    """Return ``{"type", "message", "frames"}`` for ``exc``."""
    try:
        frames = traceback.extract_tb(exc.__traceback__)
    except BaseException:
        frames = []
    kept = []
    for index, frame in enumerate(frames):
        innermost = index == len(frames) - 1
        # The innermost frame is kept when it is library code the student called (torch,
        # numpy), never when it is the grader's own probe or the import machinery.
        ours = frame.filename.startswith(_PACKAGE_DIR) or frame.filename.startswith("<frozen")
        if frame.filename == student_file or (innermost and not ours):
            kept.append({
                "file": cut(str(frame.filename), 1000),
                "line": int(frame.lineno or 0),
                "function": cut(str(frame.name), MAX_NAME),
                "code": (frame.line or "").strip()[:300],
                "student": frame.filename == student_file,
            })
    if isinstance(exc, SyntaxError):
        kept.append({
            "file": cut(str(exc.filename or student_file), 1000),
            "line": int(exc.lineno or 0),
            "function": "",
            "code": (exc.text or "").strip()[:300],
            "student": True,
        })
        message = _safe_str(exc.msg)
    else:
        message = _safe_str(exc)
    return {"type": cut(type(exc).__name__, 100), "message": message, "frames": kept[-8:]}
