"""Find each student's submission and the exercise files in it.

SUBMISSIONS holds one entry per student: a folder, or a ``.zip`` (the student's name is the
folder's name, or the archive's without ``.zip``). Inside, each exercise file sits at the top or
under ``exercises/``, named as its stub is (``exercise3_my_relu.py``); a single folder wrapping
all of it (what zipping a folder gives) is looked through. Anything else is reported as
skipped, never guessed at. Archives are unpacked safely: members whose path is absolute,
climbs out with ``..`` or is a link are refused, and sizes are capped. An archive that cannot
be read (not a zip, or damaged: corrupt deflate or LZMA data, a bad CRC, a cut-off file,
encryption) never stops the class: that student, or that one file of theirs, is reported
("cannot read bob.zip: damaged archive (...)") and the rest is graded.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 2000
"""Entries an archive may list before it is refused as a whole."""
MAX_FILE_BYTES = 2 << 20
"""Largest exercise file unpacked from an archive (2 MiB: a real solution is a few KiB)."""
MAX_SHOWN = 20
"""Skipped files named per student before the rest are counted."""
_IGNORED = {"__pycache__", "__MACOSX", ".DS_Store", "__init__.py", ".git", ".ipynb_checkpoints"}


class UnsafeArchive(Exception):
    """An archive that cannot be unpacked safely; the message says why."""


class DamagedArchive(Exception):
    """An archive that cannot be read at all; the message says what the reader said."""


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


@dataclass
class Submission:
    """One student's submission, as found."""

    student: str
    """The student's name: the folder's, or the archive's without ``.zip``."""
    source: str
    """Where it came from, as shown in reports (``alice.zip``)."""
    files: dict[str, Path] = field(default_factory=dict)
    """Exercise id -> the file to grade (inside the unpack folder for an archive)."""
    shown: dict[str, str] = field(default_factory=dict)
    """Exercise id -> the file's path as reports show it (``alice/exercises/exercise3_my_relu.py``)."""
    skipped: list[str] = field(default_factory=list)
    """What was found and not graded, one line each (unknown files, duplicates, refusals)."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """Exercise id -> why its file could not be read from the archive (``cannot read
    bob.zip: damaged archive (...)``); every exercise, where the archive could not be read."""


def _closest(name: str, filenames: dict[str, str]) -> str | None:
    """The stub a misnamed file was probably meant as: same exercise number, else closest name."""
    number = re.search(r"\d+", name)
    if number:
        for filename in filenames:
            if re.match(rf"exercise{int(number.group())}_", filename):
                return filename
    close = difflib.get_close_matches(name, list(filenames), n=1, cutoff=0.6)
    return close[0] if close else None


def _layout(paths: list[str], filenames: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Pick the exercise files among ``paths`` (relative, posix); return them and what is skipped.

    ``filenames`` maps each stub's file name to its exercise id.
    """
    parts = [PurePosixPath(p).parts for p in paths]
    parts = [p for p in parts if p and not any(x in _IGNORED or x.startswith(".") for x in p)]
    prefix: tuple[str, ...] = ()
    firsts = {p[0] for p in parts}
    if len(firsts) == 1 and all(len(p) > 1 for p in parts) and firsts != {"exercises"}:
        prefix = (next(iter(firsts)),)  # one folder wrapping everything: look inside
    chosen: dict[str, str] = {}
    skipped: list[str] = []
    # Files at the top first, so that a file there wins over its copy under exercises/.
    for p in sorted(parts, key=lambda p: (len(p), p)):
        rest = p[len(prefix):]
        name = rest[-1]
        exercise = filenames.get(name)
        where = len(rest) == 1 or (len(rest) == 2 and rest[0] == "exercises")
        shown = "/".join(p)
        if exercise is not None and where:
            if exercise in chosen:
                skipped.append(f"{shown}: ignored, {chosen[exercise]} is graded for {exercise}")
            else:
                chosen[exercise] = shown
            continue
        if exercise is not None:
            skipped.append(f"{shown}: not graded, exercise files belong at the top or under "
                           "exercises/")
            continue
        hint = f" (did you mean {_closest(name, filenames)}?)" if name.endswith(".py") else ""
        hint = "" if hint.endswith("(did you mean None?)") else hint
        skipped.append(f"{shown}: unknown file, not graded{hint}")
    if len(skipped) > MAX_SHOWN:
        skipped = skipped[:MAX_SHOWN] + [f"... and {len(skipped) - MAX_SHOWN} more"]
    return chosen, skipped


def _folder_files(folder: Path) -> tuple[list[str], list[str]]:
    """Relative paths of the regular files under ``folder``; links are listed as skipped."""
    found, skipped = [], []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _IGNORED and not d.startswith("."))
        for name in sorted(files + [d for d in dirs if (Path(top) / d).is_symlink()]):
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                skipped.append(f"{rel}: a link, not followed")
            elif path.is_file():
                found.append(rel)
        dirs[:] = [d for d in dirs if not (Path(top) / d).is_symlink()]
    return found, skipped


def _safe_member(info: zipfile.ZipInfo) -> str:
    """The member's relative path, or raise :class:`UnsafeArchive`."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UnsafeArchive(f"it holds an absolute path ({info.filename!r})")
    if ".." in path.parts:
        raise UnsafeArchive(f"it holds a path that leaves the archive ({info.filename!r})")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeArchive(f"it holds a link ({info.filename!r})")
    return path.as_posix()


def _unzip(archive: Path, dest: Path, filenames: dict[str, str]
           ) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Check every member of ``archive``; unpack only the exercise files; return them and
    what is skipped, as :func:`_layout` does, and the exercise files that could not be read
    (exercise id -> why). Raise :class:`UnsafeArchive` or :class:`DamagedArchive`."""
    try:
        zf = zipfile.ZipFile(archive)
        members = zf.infolist()
    # Whatever the zip reader raises on bytes it cannot make sense of (BadZipFile, OSError,
    # EOFError, struct.error, ...) means one thing here: this archive cannot be read.
    except Exception as exc:  # noqa: BLE001
        raise DamagedArchive(_why(exc)) from None
    unreadable: dict[str, str] = {}
    with zf:
        if len(members) > MAX_MEMBERS:
            raise UnsafeArchive(f"it lists {len(members)} entries (at most {MAX_MEMBERS})")
        names = {_safe_member(info): info for info in members if not info.is_dir()}
        chosen, skipped = _layout(list(names), filenames)
        for exercise, shown in list(chosen.items()):
            try:
                data = _read_capped(zf, names[shown])
                if data is not None:
                    target = dest.joinpath(*PurePosixPath(shown).parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
            # A member's data may be damaged in as many ways as there are decompressors
            # (zlib.error, lzma.LZMAError, a bad CRC, EOFError, NotImplementedError for an
            # unknown method, RuntimeError for encryption), or unwritable here (a name too
            # long): that file cannot be graded, the others still are.
            except Exception as exc:  # noqa: BLE001
                unreadable[exercise] = f"{shown}: {_why(exc)}"
                del chosen[exercise]
                continue
            if data is None:
                skipped.append(f"{shown}: larger than {MAX_FILE_BYTES} bytes, not graded")
                del chosen[exercise]
    return chosen, skipped, unreadable


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's bytes, or None past :data:`MAX_FILE_BYTES` (whatever its header claims)."""
    with zf.open(info) as member:
        data = member.read(MAX_FILE_BYTES + 1)
    return None if len(data) > MAX_FILE_BYTES else data


def load(entry: Path, *, student: str, unpack_root: Path, filenames: dict[str, str]) -> Submission:
    """Find the exercise files of one submission (a folder or a .zip)."""
    submission = Submission(student, entry.name)
    if entry.is_dir():
        base, (paths, links) = entry, _folder_files(entry)
        chosen, skipped = _layout(paths, filenames)
        skipped = links + skipped
    else:
        base = unpack_root / student
        base.mkdir(parents=True, exist_ok=True)
        try:
            chosen, skipped, unreadable = _unzip(entry, base, filenames)
        except UnsafeArchive as exc:
            submission.skipped.append(f"{entry.name}: not graded: {exc}")
            return submission
        except DamagedArchive as exc:
            why = f"cannot read {entry.name}: damaged archive ({exc})"
            submission.unreadable = {exercise: why for exercise in filenames.values()}
            return submission
        submission.unreadable = {
            exercise: f"cannot read {entry.name}: damaged archive ({why})"
            for exercise, why in unreadable.items()}
    submission.skipped = skipped
    for exercise, rel in chosen.items():
        submission.files[exercise] = base.joinpath(*PurePosixPath(rel).parts)
        submission.shown[exercise] = f"{student}/{rel}"
    return submission


def _zip_paths(archive: Path) -> list[str]:
    """The file paths an archive lists (nothing unpacked); none if it cannot be read safely."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                return []
            return [_safe_member(info) for info in members if not info.is_dir()]
    except Exception:  # noqa: BLE001 -- unsafe or unreadable: nothing to look at (see _unzip)
        return []


def nested_submissions(entry: Path, filenames: dict[str, str]) -> list[str]:
    """The names of what, inside ``entry`` (a folder or a .zip), looks like a submission of its
    own: a subfolder (or, in a folder, a .zip) with exercise files at its top or under
    exercises/. Several of them, and no exercise file of ``entry``'s own, is a class rather
    than one submission. Nothing is unpacked.
    """
    def candidate(name: str) -> bool:
        return not (name in _IGNORED or name.startswith(".") or name == "exercises")

    if not entry.is_dir():
        groups: dict[str, list[str]] = {}
        for path in _zip_paths(entry):
            first, _, rest = path.partition("/")
            if rest:
                groups.setdefault(first, []).append(rest)
        return [name for name, paths in sorted(groups.items())
                if candidate(name) and _layout(paths, filenames)[0]]
    found = []
    for child in sorted(entry.iterdir()):
        if not candidate(child.name) or child.is_symlink():
            continue
        if child.is_dir():
            paths = _folder_files(child)[0]
        elif child.suffix.lower() == ".zip" and child.is_file():
            paths = _zip_paths(child)
        else:
            continue
        if _layout(paths, filenames)[0]:
            found.append(child.name)
    return found


def discover(root: Path, *, unpack_root: Path, filenames: dict[str, str],
             keep=None) -> tuple[list[Submission], list[str]]:
    """Every submission under ``root``, sorted by student; and the entries that are none.

    Args:
        root: the SUBMISSIONS folder.
        unpack_root: an empty folder to unpack archives into (one subfolder per student).
        filenames: each stub's file name -> its exercise id.
        keep: called with each student's name; only those it is true for are loaded (one
            shard of the class: the others are not even unpacked). Names are chosen over the
            whole folder first, so that a student's name is the same in every shard.
    """
    submissions: list[Submission] = []
    skipped: list[str] = []
    taken: set[str] = set()
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in _IGNORED:
            continue
        if entry.is_symlink():
            skipped.append(f"{entry.name}: a link, not followed")
            continue
        if entry.is_dir():
            student = entry.name
        elif entry.suffix.lower() == ".zip" and entry.is_file():
            student = entry.stem
        else:
            skipped.append(f"{entry.name}: neither a folder nor a .zip, not graded")
            continue
        if student in taken:
            student = entry.name  # both alice/ and alice.zip: keep them apart
        taken.add(student)
        if keep is not None and not keep(student):
            continue
        submissions.append(load(entry, student=student, unpack_root=unpack_root,
                                filenames=filenames))
    return submissions, skipped
