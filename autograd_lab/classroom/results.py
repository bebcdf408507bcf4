"""The class's grades on disk, written as results come in.

OUT/grades.csv has a row per student (one column per exercise, then the total): a cell holds the
score when the file was graded (0 included), else why not: ``missing`` (no file), ``stub`` (the
shipped stub, unchanged: not graded), ``error`` (the grader could not grade it, or its archive
could not be read), ``pending`` (not graded yet: a run stopped midway). OUT/grades.json has,
for each student and exercise (in course order), the status, score, max_score and every check
with its message; OUT/feedback/STUDENT.txt holds the text `autograd-lab check` prints, for
each exercise (a name that is long or odd is made safe: see :func:`feedback_name`). In a
`grade` run each result is appended to OUT/journal.jsonl as it comes (see :mod:`journal`: the
cost per result does not grow with the class) and these files are written at the end or
when the run is interrupted, and meanwhile now and then (at most every 2 s, and at most 5%
of the run's time: see :meth:`Gradebook.checkpoint`); a gradebook without a journal
rewrites them (atomically) after every result, which is fine for a handful. OUT/.cache/
keeps each result under a key made of the student, the exercise, the file's sha256, the
grader's version and the limits, so that a rerun skips unchanged work. Only a
verdict a rerun would repeat is kept: never an error, nor one that came from a timeout, a
worker ended by a signal, or an internal error of the grader (``unsettled`` in grades.json).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
from pathlib import Path

import autograd_lab
from autograd_lab.atomic_write import write_atomic
from autograd_lab.workspace import stub_text

GRADED, MISSING, STUB, ERROR, PENDING = "graded", "missing", "stub", "error", "pending"

_CHECK_KEYS = ("name", "title", "kind", "status", "passed", "score", "max_score", "message",
               "diagnosis", "hint")
"""What grades.json keeps of each check (the smallest failing input is in the feedback)."""


CHECKPOINT_MIN_S = 2.0
"""With a journal, the files are rewritten at most this often while results come in."""
CHECKPOINT_SHARE = 0.05
"""... and at most this share of the run's time: after a rewrite that took d seconds, the next
waits at least d / CHECKPOINT_SHARE (a class of 300 rewrites 10 times less often than one of
30), so that the rewrites cost each student the same share whatever the class's size."""


def grader_version() -> str:
    """The package version and a digest of the grading code: a change to a check changes it."""
    root = Path(autograd_lab.__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in ("catalog", "grading", "sandbox"):
        for path in sorted((root / folder).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{autograd_lab.__version__}+{digest.hexdigest()[:12]}"


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


MAX_FEEDBACK_NAME = 60
"""Characters of a student's name kept in their feedback file's name (120 bytes at most)."""
_PLAIN = re.compile(r"[\w.\- ]+")
_ODD = re.compile(r"[^\w.\-]+")


def _fits(name: str) -> bool:
    return len(name) <= MAX_FEEDBACK_NAME and len(name.encode("utf-8", "replace")) <= 120


def feedback_name(student: str) -> str:
    """The file name of ``student``'s feedback: ``NAME.txt``; for a name that is long, odd
    (anything but letters, digits, ``.``, ``_``, ``-`` and spaces, or a leading ``.`` or
    ``-``) or not valid Unicode, its plain part cut short and a hash of the whole name
    (``NAME_CUT-1a2b3c4d5e.txt``), so that no name makes a file that cannot be written."""
    if _PLAIN.fullmatch(student) and not student.startswith((".", "-")) and _fits(student):
        return f"{student}.txt"
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    safe = _ODD.sub("_", student)[:MAX_FEEDBACK_NAME]
    while not _fits(safe):
        safe = safe[:-1]
    return f"{safe.strip('._- ') or 'student'}-{digest}.txt"


def unsettled(report: dict) -> str | None:
    """Why a rerun may not repeat this verdict (``report`` as ``Report.to_dict`` gives it):
    a timeout, a worker ended by a signal or sending malformed data (``unsettled``), or a
    check that raised inside the grader (``internal_error``); None for a settled verdict."""
    if report.get("unsettled"):
        return str(report["unsettled"])
    if any(c.get("internal_error") for c in report.get("checks", [])):
        return "a check raised inside the grader (an internal error)"
    return None


def _points(value: float) -> str:
    return f"{value:g}"


def _normalised(text: str) -> str:
    """``text`` without what an editor or a platform changes unasked: a BOM, CRLF or CR line
    endings, trailing spaces, blank lines at either end."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def is_stub(path: Path, filename: str) -> bool:
    """Whether the file at ``path`` is the shipped stub ``filename``, untouched (up to line
    endings and trailing whitespace)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return _normalised(text) == _normalised(stub_text(filename))


def _canonical(value):
    """``value`` with every mapping's keys sorted, so that a record reads the same whether it
    was just graded or read back from the cache."""
    if isinstance(value, dict):
        return {key: _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def student_order(name: str) -> tuple:
    """Sort key for students: case aside, and numbers by value (``s2`` before ``s10``)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", name.casefold()) if part), name


class Gradebook:
    """Every (student, exercise) of one run: its result, and the files that show them."""

    def __init__(self, out: Path, *, exercises, submissions, skipped: list[str],
                 settings: dict, force: bool = False, journal=None, clock=time.monotonic):
        """Args:
            out: the output folder (created).
            exercises: the catalog entries graded, in order.
            submissions: the :class:`~autograd_lab.classroom.submissions.Submission` list.
            skipped: SUBMISSIONS entries that are no submission.
            settings: what else a result depends on (device, timeout, memory): part of the key.
            force: ignore the cache (results are still written to it).
            journal: a :class:`~autograd_lab.classroom.journal.Journal` each result is
                appended to (the files are then written by :meth:`finish`); without one,
                every result rewrites them.
            clock: seconds, monotonic, for pacing :meth:`checkpoint` (a fake one in tests).
        """
        self.journal = journal
        self.clock = clock
        self._written_at = clock()
        self._write_took = 0.0
        self._unwritten: set[str] = set()
        """Students with a result recorded since the files were last written."""
        self.out = out
        self.exercises = sorted(exercises, key=lambda e: e.number)
        submissions = sorted(submissions, key=lambda s: student_order(s.student))
        self.submissions = {s.student: s for s in submissions}
        self.skipped = skipped
        self.force = force
        self.version = grader_version()
        self.settings = settings
        (out / "feedback").mkdir(parents=True, exist_ok=True)
        (out / ".cache").mkdir(exist_ok=True)
        self.records: dict[tuple[str, str], dict] = {}
        self.keys: dict[tuple[str, str], str] = {}
        for submission in submissions:
            for exercise in self.exercises:
                item = (submission.student, exercise.id)
                path = submission.files.get(exercise.id)
                unreadable = getattr(submission, "unreadable", {}).get(exercise.id)
                if unreadable is not None:
                    self.records[item] = {"status": ERROR, "score": 0.0, "checks": [],
                                          "max_score": exercise.points, "message": unreadable}
                elif path is None:
                    self.records[item] = self._missing(exercise)
                elif is_stub(path, exercise.filename):
                    self.records[item] = self._stub(exercise, submission.shown[exercise.id])
                else:
                    self.keys[item] = self._key(submission.student, exercise.id, path)
                    self.records[item] = {"status": PENDING, "score": 0.0,
                                          "max_score": exercise.points}

    # -- the cache --------------------------------------------------------------------------
    def _key(self, student: str, exercise: str, path: Path) -> str:
        parts = [student, exercise, file_sha256(path), self.version,
                 json.dumps(self.settings, sort_keys=True)]
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def to_grade(self) -> list[tuple[str, str]]:
        """The items still to grade: pending (not taken back from a journal: see
        :meth:`resume`), and not in the cache (unless forced)."""
        todo = []
        for item, key in self.keys.items():
            if self.records[item]["status"] != PENDING:
                continue
            cached = None if self.force else self._cached(key)
            if cached is not None:
                self.records[item] = cached
            else:
                todo.append(item)
        return todo

    def resume(self, entries: dict) -> int:
        """Take back, from a journal a killed run left (see :func:`journal.read`), each
        settled verdict graded from the same file under the same key; return how many (none
        when forced). What else it holds (errors, unsettled verdicts) is graded again."""
        taken = 0
        for item, (key, record) in entries.items():
            if (not self.force and self.keys.get(item) == key and _settled(record)
                    and self.records[item]["status"] == PENDING):
                self.records[item] = record
                taken += 1
        return taken

    def _cached(self, key: str) -> dict | None:
        try:
            record = json.loads((self.out / ".cache" / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if _settled(record) else None

    # -- recording --------------------------------------------------------------------------
    def _missing(self, exercise) -> dict:
        return {"status": MISSING, "score": 0.0, "max_score": exercise.points, "checks": [],
                "message": f"not submitted: no {exercise.filename} at the top of the submission "
                           "or under exercises/"}

    def _stub(self, exercise, shown: str) -> dict:
        return {"status": STUB, "score": 0.0, "max_score": exercise.points, "checks": [],
                "file": shown,
                "message": f"not graded: {shown} is the stub of {exercise.filename}, unchanged "
                           "(nothing written in it yet)"}

    def record(self, student: str, exercise: str, result: dict) -> None:
        """Store one grader result (see :mod:`autograd_lab.classroom.pool`): append it to
        the journal (the files wait for :meth:`finish`) or, without one, write everything.

        Only a verdict a rerun would repeat is cached (see :func:`unsettled`); any other,
        and an error, replaces what the cache held for the item.
        """
        item = (student, exercise)
        cache = self.out / ".cache" / f"{self.keys[item]}.json"
        if result.get("ok"):
            report = result["report"]
            record = {"status": GRADED, "score": report["score"],
                      "max_score": report["max_score"], "file": report["file"],
                      "checks": [{k: c[k] for k in _CHECK_KEYS if k in c}
                                 for c in report["checks"]],
                      "output": report.get("output", ""), "text": result["text"],
                      "isolation": report.get("isolation", "")}
            why = unsettled(report)
            if why is None:
                write_atomic(cache, json.dumps(record, sort_keys=True))
            else:
                record["unsettled"] = why
                cache.unlink(missing_ok=True)
        else:
            cache.unlink(missing_ok=True)
            max_score = self.records[item]["max_score"]
            record = {"status": ERROR, "score": 0.0, "max_score": max_score, "checks": [],
                      "message": f"could not be graded: {result.get('error', 'unknown error')}"}
        self.records[item] = record
        if self.journal is not None:
            self.journal.append(student, exercise, self.keys[item], record)
            self._unwritten.add(student)
            self.checkpoint()
        else:
            self.write(student)

    def checkpoint(self) -> bool:
        """With a journal: rewrite grades.csv, grades.json and the feedback of the students
        with new results, if some came in and the pacing allows (see
        :data:`CHECKPOINT_SHARE`); True if written. So that the files can be watched during a
        long run, and a run killed outright still leaves them nearly up to date (the journal
        has the rest)."""
        if self.journal is None or not self._unwritten:
            return False
        wait = max(CHECKPOINT_MIN_S, self._write_took / CHECKPOINT_SHARE)
        if self.clock() - self._written_at < wait:
            return False
        start = self.clock()
        self.journal.sync()
        self._write_tables()
        for name in sorted(self._unwritten):
            write_atomic(self.out / "feedback" / feedback_name(name), self.feedback(name))
        self._unwritten.clear()
        self._written_at = self.clock()
        self._write_took = self._written_at - start
        return True

    def finish(self) -> dict:
        """Write every file once, from what was recorded; then drop the journal, which they
        now hold (a journal kept by an interrupted write is read back by the next run).
        Returns grades.json's object as written (for the :mod:`derived` files)."""
        if self.journal is not None:
            self.journal.sync()
        data = self.write()
        self._unwritten.clear()
        if self.journal is not None:
            self.journal.remove()
        return data

    # -- the files --------------------------------------------------------------------------
    def write(self, student: str | None = None) -> dict:
        """Rewrite grades.csv and grades.json, and the feedback of ``student`` (or everyone's);
        return grades.json's object."""
        data = self._write_tables()
        for name in [student] if student else list(self.submissions):
            write_atomic(self.out / "feedback" / feedback_name(name), self.feedback(name))
        return data

    def _write_tables(self) -> dict:
        data = self.as_dict()
        write_atomic(self.out / "grades.csv", csv_text(data))
        write_atomic(self.out / "grades.json", grades_json_text(data))
        return data

    def total(self, student: str) -> tuple[float, float]:
        """The student's score (over the exercises graded) and the maximum (over all)."""
        rows = [self.records[(student, e.id)] for e in self.exercises]
        score = sum(r["score"] for r in rows if r["status"] == GRADED)
        return round(score, 6), round(sum(r["max_score"] for r in rows), 6)

    def cell(self, student: str, exercise: str) -> str:
        """A grades.csv cell: the score if graded (0 included), else the status (``missing``,
        ``stub``, ``error``, ``pending``)."""
        return _cell(self.records[(student, exercise)])

    def csv(self) -> str:
        """grades.csv: student, one column per exercise (see :meth:`cell`), total."""
        return csv_text(self.as_dict())

    def as_dict(self) -> dict:
        """grades.json: the same on every run of the same class (no timings, no temp paths).

        Exercises come in course order and students in :func:`student_order`, as in
        grades.csv; within a record, keys are sorted.
        """
        students = {}
        for student, submission in self.submissions.items():
            score, max_score = self.total(student)
            exercises = {}
            for e in self.exercises:
                record = {k: v for k, v in self.records[(student, e.id)].items()
                          if k not in ("text", "output")}
                exercises[e.id] = _canonical(record)
            students[student] = {"exercises": exercises, "max_score": max_score,
                                 "score": score, "skipped": submission.skipped,
                                 "source": submission.source,
                                 "feedback": f"feedback/{feedback_name(student)}"}
        return {"grader_version": self.version,
                "exercises": [{"id": e.id, "slug": e.slug, "title": e.title,
                               "max_score": e.points} for e in self.exercises],
                "skipped": self.skipped, "students": students}

    def feedback(self, student: str) -> str:
        """The student's feedback file: what was skipped, then each exercise's report."""
        score, max_score = self.total(student)
        lines = [f"autograd-lab feedback for {student}", ""]
        skipped = self.submissions[student].skipped
        if skipped:
            lines += ["not graded:", *(f"  {line}" for line in skipped), ""]
        for e in self.exercises:
            record = self.records[(student, e.id)]
            lines.append("=" * 78)
            if record["status"] == GRADED:
                lines.append(record["text"])
            else:
                lines.append(f"{e.id} · {e.slug} · {e.title}")
                lines.append(record.get("message", "not graded yet"))
                lines.append(f"score: 0/{_points(record['max_score'])}")
            lines.append("")
        lines += ["=" * 78, f"total: {_points(score)}/{_points(max_score)}", ""]
        return "\n".join(lines)


def _settled(record) -> bool:
    """Whether a stored record is a verdict a rerun would repeat (graded, not unsettled)."""
    return (isinstance(record, dict) and "unsettled" not in record
            and record.get("status") == GRADED)


def _cell(record: dict) -> str:
    return _points(record["score"]) if record["status"] == GRADED else record["status"]


def csv_text(data: dict) -> str:
    """grades.csv from grades.json's object (:meth:`Gradebook.as_dict`): student, one column
    per exercise (see :meth:`Gradebook.cell`), total. One function for both, so that a
    merge of shards (which has their grades.json) writes the CSV one run would have."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    ids = [e["id"] for e in data["exercises"]]
    writer.writerow(["student", *ids, "total"])
    for student, entry in data["students"].items():
        cells = [_cell(entry["exercises"][e]) for e in ids]
        writer.writerow([student, *cells, _points(entry["score"])])
    return buffer.getvalue()


def grades_json_text(data: dict) -> str:
    """grades.json's text for :meth:`Gradebook.as_dict`'s object (merge writes it the same)."""
    return json.dumps(data, indent=2) + "\n"
