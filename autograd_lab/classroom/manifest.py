"""OUT/run.json: what a `grade` run graded with, so that `autograd-lab merge` can tell shards
that belong together from shards that do not.

``{"format": 1, "grader_version": ..., "exercises": ["exercise1", ...], "settings":
{"device": ..., "timeout": ..., "memory_mb": ..., "isolation": ...}, "shard": {"index": 2,
"count": 4} or null}``. Nothing in it depends on the machine, the time or the paths, so a
whole run's run.json and the one a merge of its shards writes are the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograd_lab.atomic_write import write_atomic

NAME = "run.json"
FORMAT = 1


def manifest(*, grader_version: str, exercises, settings: dict, shard) -> dict:
    """run.json's object (``exercises``: catalog entries; ``shard``: a Shard or None)."""
    return {"format": FORMAT, "grader_version": grader_version,
            "exercises": [e.id for e in sorted(exercises, key=lambda e: e.number)],
            "settings": dict(sorted(settings.items())),
            "shard": shard.to_dict() if shard is not None else None}


def write(out: Path, data: dict) -> Path:
    """Write OUT/run.json; return its path."""
    path = Path(out) / NAME
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path
