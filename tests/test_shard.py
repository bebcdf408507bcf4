"""`grade --shard K/N` and the scheduler variables it is read from (issue 13, point 4).

Nothing here grades student code: the class in the CLI tests holds only students with no
exercise file (every cell `missing`), which `grade` writes without starting a grader.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograd_lab.catalog import EXERCISES
from autograd_lab.classroom.shard import BadShard, from_environment, parse, shard_of
from autograd_lab.classroom.submissions import discover
from autograd_lab.cli import cli

FILENAMES = {e.filename: e.id for e in EXERCISES}


def test_a_students_shard_is_the_sha256_of_the_name_mod_n_plus_one():
    # The definition, computed here independently: the first 8 bytes of the sha256 of the
    # UTF-8 name, big-endian, mod N, plus 1.
    for name in ["alice", "Bob Smith", "élodie", "s10", "x" * 250]:
        for count in (1, 2, 3, 7, 100):
            digest = hashlib.sha256(name.encode()).digest()
            assert shard_of(name, count) == int.from_bytes(digest[:8], "big") % count + 1


def test_the_shard_is_the_same_in_another_process_whatever_its_hash_seed():
    names = ["alice", "bob", "carol", "dave", "élodie", "s2", "s10"]
    here = [shard_of(n, 5) for n in names]
    code = ("import json, sys; from autograd_lab.classroom.shard import shard_of; "
            f"print(json.dumps([shard_of(n, 5) for n in {names!r}]))")
    for seed in ("1", "12345"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={"PYTHONHASHSEED": seed}, check=True, timeout=60)
        assert json.loads(done.stdout) == here


def test_every_student_is_in_exactly_one_shard_and_shards_are_even():
    names = [f"student{i}" for i in range(3000)]
    for count in (2, 3, 10):
        sizes = [sum(parse(f"{k}/{count}").holds(n) for n in names)
                 for k in range(1, count + 1)]
        assert sum(sizes) == len(names)  # none in two shards, none in no shard
        # A shard's size is binomial(3000, 1/N) for a good hash: within 4 standard deviations
        # (16 for N=10) but for one time in 15,000.
        sd = (len(names) * (1 / count) * (1 - 1 / count)) ** 0.5
        assert all(abs(size - len(names) / count) < 4 * sd for size in sizes), sizes


@pytest.mark.parametrize("text", ["0/4", "5/4", "-1/4", "1/0", "a/b", "3", "2/4/1", ""])
def test_a_shard_that_cannot_be_is_refused(text):
    with pytest.raises(BadShard):
        parse(text)


def test_parse_reads_k_of_n_one_based():
    shard = parse(" 2/4 ")
    assert (shard.index, shard.count, str(shard)) == (2, 4, "2/4")


@pytest.mark.parametrize("env, expected", [
    # --array=0-3: task ids 0..3 are shards 1..4
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"},
     (1, 4)),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"},
     (4, 4)),
    # --array=1-4: the same four shards
    ({"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"},
     (1, 4)),
    ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"},
     (4, 4)),
    # --array=10-16:2: ids 10, 12, 14, 16
    ({"SLURM_ARRAY_TASK_ID": "14", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "10",
      "SLURM_ARRAY_TASK_STEP": "2"}, (3, 4)),
    # A Kubernetes Indexed Job: the index is 0-based, the count is set by the Job
    ({"JOB_COMPLETION_INDEX": "0", "AUTOGRAD_LAB_SHARD_COUNT": "3"}, (1, 3)),
    ({"JOB_COMPLETION_INDEX": "2", "AUTOGRAD_LAB_SHARD_COUNT": "3"}, (3, 3)),
])
def test_the_shard_comes_from_slurm_or_kubernetes_variables(env, expected):
    shard = from_environment(env)
    assert (shard.index, shard.count) == expected
    assert ("SLURM_ARRAY_TASK_ID" in shard.why) == ("SLURM_ARRAY_TASK_ID" in env)


@pytest.mark.parametrize("env, said", [
    ({"SLURM_ARRAY_TASK_ID": "3"}, "SLURM_ARRAY_TASK_COUNT"),
    ({"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"},
     "gaps"),  # --array=1,3,7
    ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "3"}, "not a number"),
    ({"JOB_COMPLETION_INDEX": "1"}, "AUTOGRAD_LAB_SHARD_COUNT"),
    ({"JOB_COMPLETION_INDEX": "3", "AUTOGRAD_LAB_SHARD_COUNT": "3"}, "does not exist"),
])
def test_variables_that_make_no_shard_are_refused_saying_which(env, said):
    with pytest.raises(BadShard, match=said):
        from_environment(env)


def test_no_scheduler_variable_is_no_shard():
    assert from_environment({"PATH": "/usr/bin", "SLURM_JOB_ID": "12"}) is None


def test_discover_loads_only_the_shards_students(tmp_path):
    subs = tmp_path / "subs"
    for name in ("alice", "bob", "carol", "dave"):
        (subs / name).mkdir(parents=True)
    # A damaged archive of a student of the other shard is not even opened.
    (subs / "bob.zip").write_bytes(b"not a zip")
    shard = parse("2/2")
    found, skipped = discover(subs, unpack_root=tmp_path / "unpack", filenames=FILENAMES,
                              keep=shard.holds)
    names = [s.student for s in found]
    assert names == [n for n in ("alice", "bob", "bob.zip", "carol", "dave")
                     if shard_of(n, 2) == 2]
    assert names  # the names were chosen so that each shard of 2 has some
    assert len(names) < 5


def _empty_class(root: Path) -> Path:
    subs = root / "subs"
    for name in ("alice", "bob", "carol", "dave", "erin"):
        (subs / name).mkdir(parents=True)
    with zipfile.ZipFile(subs / "frank.zip", "w") as zf:
        zf.writestr("notes.txt", "nothing yet")
    return subs


def test_grade_shard_writes_only_its_students_and_says_which_shard(tmp_path, runner):
    subs = _empty_class(tmp_path)
    result = runner.invoke(cli, ["grade", str(subs), "-o", str(tmp_path / "out"),
                                 "--exercises", "1", "--shard", "1/2"])
    assert result.exit_code == 0, result.output
    assert "grading shard 1/2 of the class (--shard 1/2)" in result.stderr
    students = json.loads((tmp_path / "out" / "grades.json").read_text())["students"]
    expected = [n for n in ("alice", "bob", "carol", "dave", "erin", "frank")
                if shard_of(n, 2) == 1]
    assert list(students) == expected
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["shard"] == {"index": 1, "count": 2}


def test_grade_reads_the_shard_from_a_slurm_array_task(tmp_path, runner):
    subs = _empty_class(tmp_path)
    env = {"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2",
           "SLURM_ARRAY_TASK_MIN": "0"}
    result = runner.invoke(cli, ["grade", str(subs), "-o", str(tmp_path / "out"),
                                 "--exercises", "1"], env=env)
    assert result.exit_code == 0, result.output
    assert "grading shard 2/2" in result.stderr and "SLURM_ARRAY_TASK_ID=1" in result.stderr
    students = json.loads((tmp_path / "out" / "grades.json").read_text())["students"]
    assert students and all(shard_of(s, 2) == 2 for s in students)
    # --shard 1/1 grades the whole class, even inside an array task.
    again = runner.invoke(cli, ["grade", str(subs), "-o", str(tmp_path / "all"),
                                "--exercises", "1", "--shard", "1/1"], env=env)
    assert again.exit_code == 0, again.output
    assert "grading shard" not in again.stderr
    assert len(json.loads((tmp_path / "all" / "grades.json").read_text())["students"]) == 6
    assert json.loads((tmp_path / "all" / "run.json").read_text())["shard"] is None


@pytest.mark.parametrize("args, said", [
    (["--shard", "0/2"], "1-based"),
    (["--shard", "3/2"], "1-based"),
    (["--shard", "two"], "K/N"),
    (["--shard", "1/2", "--gradescope"], "--gradescope"),
])
def test_a_bad_shard_is_a_usage_error(tmp_path, runner, args, said):
    subs = _empty_class(tmp_path)
    result = runner.invoke(cli, ["grade", str(subs), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert said in result.output
    assert not (tmp_path / "out").exists()


def test_bad_scheduler_variables_are_a_usage_error(tmp_path, runner):
    subs = _empty_class(tmp_path)
    result = runner.invoke(cli, ["grade", str(subs), "-o", str(tmp_path / "out")],
                           env={"JOB_COMPLETION_INDEX": "0"})
    assert result.exit_code == 2
    assert "AUTOGRAD_LAB_SHARD_COUNT" in result.output


def test_help_says_k_is_one_based_and_names_the_variables(runner):
    text = " ".join(runner.invoke(cli, ["grade", "--help"]).output.split())
    assert "1-based" in text
    for name in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX",
                 "AUTOGRAD_LAB_SHARD_COUNT"):
        assert name in text
