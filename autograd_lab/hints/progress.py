"""Which hints a student has seen, per folder, and what ``autograd-lab hint`` prints.

The state is ``DIR/.autograd-lab/hints.json``::

    {"version": 1, "shown": {"exercise3": 2}}

``shown`` counts, per exercise id, the hints already printed. Only this file is ever written
here: the ``.autograd-lab`` folder holds other tools' files too. A file that cannot be read or
is not of this form is not an error: the hints start over and a warning says so.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from autograd_lab.atomic_write import write_atomic
from autograd_lab.errors import AutogradLabError
from autograd_lab.hints import Hint, hints_for
from autograd_lab.workspace import STATE_FOLDER

STATE_FILE = "hints.json"
VERSION = 1


def state_path(directory: Path) -> Path:
    """Where the hint progress of ``directory`` is kept."""
    return Path(directory) / STATE_FOLDER / STATE_FILE


@dataclass
class Answer:
    """What the command prints: ``text`` on stdout, each of ``warnings`` on stderr."""

    text: str
    warnings: list[str] = field(default_factory=list)


def load(directory: Path) -> tuple[dict[str, int], str | None]:
    """The ``shown`` counts of ``directory`` (empty when there is no file yet), and a warning
    when the file was there but could not be used."""
    path = state_path(directory)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError) as exc:
        return {}, f"{path} could not be read ({_reason(exc)}); the hints start over"
    try:
        data = json.loads(raw)
    except ValueError as exc:
        return {}, f"{path} is not valid JSON ({exc}); the hints start over"
    shown = data.get("shown") if isinstance(data, dict) else None
    if (not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(shown, dict)
            or not all(isinstance(k, str) and type(v) is int and v >= 0 for k, v in shown.items())):
        return {}, (f"{path} is not a hint-progress file of this version of autograd-lab; the "
                    "hints start over")
    return dict(shown), None


def save(directory: Path, shown: dict[str, int]) -> str | None:
    """Write the counts (atomically: a reader never sees half a file); a warning if it failed."""
    path = state_path(directory)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"version": VERSION, "shown": dict(sorted(shown.items()))},
                                      indent=2) + "\n")
    except OSError as exc:
        return f"could not save which hints you have seen to {path} ({_reason(exc)})"
    return None


def _reason(exc: OSError | UnicodeDecodeError) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _command(exercise, directory: Path) -> str:
    where = "" if str(directory) == "." else f" --dir {shlex.quote(str(directory))}"
    return f"autograd-lab hint {exercise.number}{where}"


def _show(exercise, hints: tuple[Hint, ...], index: int) -> str:
    hint = hints[index]
    return (f"{exercise.id} ({exercise.slug}), hint {index + 1} of {len(hints)}: {hint.title}\n\n"
            f"{hint.text}")


def give_hint(exercise, directory: Path, *, show_all: bool = False,
              reset: bool = False) -> Answer:
    """The answer to ``autograd-lab hint EXERCISE`` in ``directory``, its progress updated.

    The next hint not yet shown; after the last one, a note that there are no more and the last
    again. ``show_all`` prints every hint (and counts them all as shown); ``reset`` forgets what
    was shown.
    """
    if show_all and reset:
        raise AutogradLabError("--all and --reset do not go together: reset first, then ask again")
    directory = Path(directory)
    hints = hints_for(exercise)
    total = len(hints)
    command = _command(exercise, directory)
    shown, problem = load(directory)
    answer = Answer("", [problem] if problem else [])

    if reset:
        if exercise.id in shown or problem:
            shown.pop(exercise.id, None)
            _saved(answer, directory, shown)
        answer.text = (f"The hints for {exercise.id} start over: `{command}` shows hint 1 of "
                       f"{total} next.")
        return answer

    seen = min(shown.get(exercise.id, 0), total)
    if show_all:
        parts = [_show(exercise, hints, i) for i in range(total)]
        answer.text = "\n\n\n".join(parts)
        new = total
    elif seen < total:
        text = _show(exercise, hints, seen)
        new = seen + 1
        if new < total:
            after = (f"Next: hint {new + 1} of {total} ({hints[new].title}), when you run "
                     f"`{command}` again.\n`{command} --all` prints every hint.")
        else:
            after = f"That was the last hint. `{command} --all` prints them all again."
        answer.text = f"{text}\n\n{after}"
    else:
        answer.text = (f"No more hints for {exercise.id}: you have seen all {total}. The last one "
                       f"again is below;\n`{command} --all` prints every hint, `{command} "
                       f"--reset` starts over.\n\n{_show(exercise, hints, total - 1)}")
        new = total
    if new != shown.get(exercise.id) or problem:
        shown[exercise.id] = new
        _saved(answer, directory, shown)
    return answer


def _saved(answer: Answer, directory: Path, shown: dict[str, int]) -> None:
    problem = save(directory, shown)
    if problem:
        answer.warnings.append(problem)
