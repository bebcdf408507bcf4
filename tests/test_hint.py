"""`autograd-lab hint`: graduated hints, the next one each time, remembered per folder."""

from __future__ import annotations

import json
import zipfile

import pytest

from autograd_lab.catalog import EXERCISES, lookup
from autograd_lab.cli import cli
from autograd_lab.hints import hints_for, parse
from autograd_lab.hints.progress import state_path

EX3 = lookup("exercise3")
HINTS3 = hints_for(EX3)


def hint(runner, *args, directory=None):
    where = ["--dir", str(directory)] if directory is not None else []
    return runner.invoke(cli, ["hint", *args, *where])


def title(number: int, total: int, name: str, exercise=EX3) -> str:
    return f"{exercise.id} ({exercise.slug}), hint {number} of {total}: {name}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_graduated_hints(exercise):
    hints = hints_for(exercise)
    assert len(hints) >= 3
    assert hints[0].title == "the idea"
    assert hints[-2].title == "nearly the code" and hints[-1].title == "the walk-through"
    assert len({h.title for h in hints}) == len(hints)
    for h in hints:
        assert h.text.strip() and not h.text.startswith("\n")
        assert "## " not in h.text.splitlines()[0]


def test_the_file_format_skips_the_header_and_keeps_indented_code():
    hints = parse("# a comment\n# another\n\n## one\nfirst\n\n    # code\n## two\nsecond\n")
    assert [(h.title, h.text) for h in hints] == [("one", "first\n\n    # code"), ("two", "second")]


def test_each_call_shows_the_next_hint_then_the_last_again(runner, tmp_path):
    total = len(HINTS3)
    for number, expected in enumerate(HINTS3, start=1):
        result = hint(runner, "3", directory=tmp_path)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(title(number, total, expected.title) + "\n\n")
        assert expected.text in result.stdout
        assert json.loads(state_path(tmp_path).read_text())["shown"] == {"exercise3": number}
        if number < total:
            assert f"Next: hint {number + 1} of {total} ({HINTS3[number].title})" in result.stdout
        else:
            assert "That was the last hint" in result.stdout
    for _ in range(2):
        result = hint(runner, "3", directory=tmp_path)
        assert result.exit_code == 0
        assert result.stdout.startswith(f"No more hints for exercise3: you have seen all {total}.")
        assert title(total, total, HINTS3[-1].title) in result.stdout
        assert HINTS3[-1].text in result.stdout
        assert "autograd-lab hint 3 --dir" in result.stdout and "--all" in result.stdout
        assert json.loads(state_path(tmp_path).read_text())["shown"] == {"exercise3": total}


def test_progress_is_kept_per_folder_and_per_exercise(runner, tmp_path, monkeypatch):
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    monkeypatch.chdir(here)
    assert "hint 1 of" in hint(runner, "3").stdout                 # the current folder by default
    assert "hint 2 of" in hint(runner, "my_relu").stdout           # a slug is the same exercise
    assert "hint 3 of" in hint(runner, "exercise3").stdout
    assert "hint 1 of" in hint(runner, "3", directory=there).stdout    # another folder
    assert title(1, len(hints_for("exercise4")), "the idea", lookup(4)) in hint(runner, "4").stdout
    assert json.loads(state_path(there).read_text())["shown"] == {"exercise3": 1}
    assert (here / ".autograd-lab" / "hints.json").is_file()


def test_all_prints_every_hint_and_counts_them_as_seen(runner, tmp_path):
    result = hint(runner, "3", "--all", directory=tmp_path)
    assert result.exit_code == 0
    total = len(HINTS3)
    positions = [result.stdout.index(title(n, total, h.title)) for n, h in enumerate(HINTS3, 1)]
    assert positions == sorted(positions)
    assert all(h.text in result.stdout for h in HINTS3)
    assert "No more hints" in hint(runner, "3", directory=tmp_path).stdout


def test_reset_starts_over_and_leaves_the_rest_of_the_folder_alone(runner, tmp_path):
    hint(runner, "3", directory=tmp_path)
    hint(runner, "3", directory=tmp_path)
    hint(runner, "5", directory=tmp_path)
    scores = tmp_path / ".autograd-lab" / "scores.json"
    scores.write_text('{"another tool": "its own file"}')
    result = hint(runner, "3", "--reset", directory=tmp_path)
    assert result.exit_code == 0
    assert "The hints for exercise3 start over" in result.stdout and "hint 1 of" in result.stdout
    assert json.loads(state_path(tmp_path).read_text())["shown"] == {"exercise5": 1}
    assert scores.read_text() == '{"another tool": "its own file"}'
    assert hint(runner, "3", directory=tmp_path).stdout.startswith(
        title(1, len(HINTS3), "the idea"))


def test_reset_where_nothing_was_seen_writes_nothing(runner, tmp_path):
    assert hint(runner, "3", "--reset", directory=tmp_path).exit_code == 0
    assert not (tmp_path / ".autograd-lab").exists()


def test_unknown_exercise_exits_2_with_close_matches_and_writes_nothing(runner, tmp_path):
    result = hint(runner, "my_rel", directory=tmp_path)
    assert result.exit_code == 2
    assert "Unknown exercise 'my_rel'" in result.output and "my_relu" in result.output
    assert not (tmp_path / ".autograd-lab").exists()


@pytest.mark.parametrize("args", [["3", "--all", "--reset"], ["3", "--dir", "no/such/folder"], []])
def test_misuse_exits_2(runner, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["hint", *args]).exit_code == 2


@pytest.mark.parametrize("content", [
    b"{not json", b"", b"\xff\xfe\x00", b"[1, 2]", b'{"version": 1, "shown": []}',
    b'{"version": 1, "shown": {"exercise3": -1}}', b'{"version": 1, "shown": {"exercise3": true}}',
    b'{"version": 1, "shown": {"exercise3": "2"}}', b'{"version": 99, "shown": {}}', b"null",
], ids=["garbage", "empty", "not-utf8", "list", "shown-list", "negative", "bool", "string",
        "other-version", "null"])
def test_a_corrupt_state_file_starts_over_and_says_so(runner, tmp_path, content):
    path = state_path(tmp_path)
    path.parent.mkdir()
    path.write_bytes(content)
    result = hint(runner, "3", directory=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(title(1, len(HINTS3), "the idea"))
    assert str(path) in result.stderr and "start over" in result.stderr
    assert json.loads(path.read_text()) == {"version": 1, "shown": {"exercise3": 1}}
    second = hint(runner, "3", directory=tmp_path)
    assert second.stderr == "" and "hint 2 of" in second.stdout


def test_a_state_that_cannot_be_saved_still_shows_the_hint(runner, tmp_path):
    (tmp_path / ".autograd-lab").write_text("a file where the folder should be")
    result = hint(runner, "3", directory=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith(title(1, len(HINTS3), "the idea"))
    assert "could not save" in result.stderr


def test_more_hints_seen_than_there_are_counts_as_all_seen(runner, tmp_path):
    path = state_path(tmp_path)
    path.parent.mkdir()
    path.write_text('{"version": 1, "shown": {"exercise3": 99}}')
    result = hint(runner, "3", directory=tmp_path)
    assert result.exit_code == 0 and result.stdout.startswith("No more hints")
    assert json.loads(path.read_text())["shown"]["exercise3"] == len(HINTS3)


def test_hint_is_listed_in_the_help(runner):
    assert "hint" in runner.invoke(cli, ["--help"]).output
    result = runner.invoke(cli, ["hint", "--help"])
    assert result.exit_code == 0
    for option in ("--all", "--dir", "--reset"):
        assert option in result.output


@pytest.mark.slow
def test_the_wheel_ships_the_hints(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograd_lab/hints/__init__.py" in names
    assert "autograd_lab/hints/progress.py" in names
    for exercise in EXERCISES:
        assert f"autograd_lab/hints/{exercise.id}.txt" in names
