"""``list`` shows each exercise's last score in this folder, which ``check`` keeps.

The score lives in ``DIR/.autograd-lab/scores.json`` for the file ``DIR/exercises/<name>``;
``list`` marks it ``(edited since)`` once the file changes, and a damaged scores.json costs
nothing but the scores.
"""

from __future__ import annotations

import json
import shutil

import pytest

from autograd_lab.catalog import lookup
from autograd_lab.cli import cli
from autograd_lab.workspace import home_of, read_scores, record_score
from support import SOLUTIONS, STUBS

RELU = "exercise3_my_relu.py"


def _column(output: str, header: str, next_header: str) -> dict[str, str]:
    """Each exercise id -> its cell under ``header`` (columns are padded to their header)."""
    lines = output.splitlines()
    start, end = lines[0].index(header), lines[0].index(next_header)
    return {line.split()[0]: line[start:end].strip() for line in lines[1:]}


def _last_scores(runner, *args) -> dict[str, str]:
    result = runner.invoke(cli, ["list", *args])
    assert result.exit_code == 0, result.output
    return _column(result.output, "last score", "status")


@pytest.fixture
def folder(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["init"]).exit_code == 0
    return tmp_path


def test_list_shows_the_last_score_of_each_checked_exercise(runner, folder):
    shutil.copy(SOLUTIONS / RELU, folder / "exercises" / RELU)
    assert runner.invoke(cli, ["check", "3"]).exit_code == 0
    assert runner.invoke(cli, ["check", "1"]).exit_code == 1  # the stub: 0 points
    scores = _last_scores(runner)
    assert scores["exercise3"] == "10/10"
    assert scores["exercise1"] == "0/10"
    assert scores["exercise2"] == "-"  # never checked here
    stored = json.loads((folder / ".autograd-lab" / "scores.json").read_text())["exercises"]
    assert set(stored) == {"exercise1", "exercise3"}
    assert (stored["exercise3"]["score"], stored["exercise3"]["max_score"]) == (10, 10)


def test_a_file_changed_after_its_check_is_marked_edited_since(runner, folder):
    mine = folder / "exercises" / RELU
    assert runner.invoke(cli, ["check", "3"]).exit_code == 1
    assert _last_scores(runner)["exercise3"] == "0/10"
    mine.write_text(mine.read_text() + "# thinking...\n")
    assert _last_scores(runner)["exercise3"] == "0/10 (edited since)"
    mine.unlink()
    assert _last_scores(runner)["exercise3"] == "-"  # nothing there to score


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", '{"exercises": 3}',
                                    '{"exercises": {"exercise3": {"score": "ten"}}}',
                                    "\udcff"])
def test_a_damaged_scores_file_crashes_neither_list_nor_check(runner, folder, damage):
    state = folder / ".autograd-lab"
    state.mkdir()
    (state / "scores.json").write_bytes(damage.encode("utf-8", "surrogateescape"))
    assert _last_scores(runner)["exercise3"] == "-"
    assert runner.invoke(cli, ["check", "3"]).exit_code == 1
    assert _last_scores(runner)["exercise3"] == "0/10"  # rewritten whole


def test_the_folder_is_shared_with_hints_and_kept(runner, folder):
    state = folder / ".autograd-lab"
    state.mkdir()
    (state / "hints.json").write_text('{"exercise3": 2}')
    assert runner.invoke(cli, ["check", "3"]).exit_code == 1
    assert (state / "hints.json").read_text() == '{"exercise3": 2}'
    assert sorted(p.name for p in state.iterdir()) == ["hints.json", "scores.json"]  # no temp


def test_a_file_elsewhere_is_checked_and_remembered_nowhere(runner, folder):
    elsewhere = folder / "mine" / RELU
    elsewhere.parent.mkdir()
    shutil.copy(SOLUTIONS / RELU, elsewhere)
    assert runner.invoke(cli, ["check", "3", "--file", str(elsewhere)]).exit_code == 0
    assert not (folder / ".autograd-lab").exists()
    assert not (folder / "mine" / ".autograd-lab").exists()
    assert _last_scores(runner)["exercise3"] == "-"


def test_file_in_another_folders_exercises_is_kept_in_that_folder(runner, folder, monkeypatch):
    (folder / "sub").mkdir()
    monkeypatch.chdir(folder / "sub")
    assert runner.invoke(cli, ["check", "3", "--file", f"../exercises/{RELU}"]).exit_code == 1
    assert not (folder / "sub" / ".autograd-lab").exists()
    assert _last_scores(runner, "--dir", "..")["exercise3"] == "0/10"


def test_the_shipped_stubs_are_not_a_working_folder():
    relu = lookup("3")
    assert home_of(STUBS / RELU, relu) is None
    assert home_of(SOLUTIONS / RELU, relu) is None
    assert home_of(STUBS.parent / "x" / "exercises" / RELU, relu) == STUBS.parent / "x"
    assert home_of(STUBS.parent / "x" / "exercises" / "other.py", relu) is None


def test_a_failed_write_keeps_the_old_scores_and_the_check_result(runner, folder, monkeypatch):
    assert runner.invoke(cli, ["check", "1"]).exit_code == 1
    before = (folder / ".autograd-lab" / "scores.json").read_text()

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr("autograd_lab.workspace.os.replace", refuse)
    result = runner.invoke(cli, ["check", "3"])
    assert result.exit_code == 1  # the check's own verdict, not a crash
    assert "the score was not saved" in result.stderr and "Permission denied" in result.stderr
    assert (folder / ".autograd-lab" / "scores.json").read_text() == before
    assert [p.name for p in (folder / ".autograd-lab").iterdir()] == ["scores.json"]


def test_read_scores_keeps_good_entries_next_to_bad_ones(tmp_path):
    mine = tmp_path / "exercises" / RELU
    mine.parent.mkdir()
    mine.write_text("x = 1\n")
    record_score(tmp_path, "exercise3", score=7, max_score=10, path=mine, device="cpu")
    path = tmp_path / ".autograd-lab" / "scores.json"
    data = json.loads(path.read_text())
    data["exercises"]["exercise4"] = {"score": True, "max_score": 10, "sha256": ""}
    path.write_text(json.dumps(data))
    assert set(read_scores(tmp_path)) == {"exercise3"}
    assert read_scores(tmp_path)["exercise3"]["score"] == 7.0
