"""The reference scorer, ../shared/standards/schedule/score.py, imported from where it lives.

It sits beside the checkout (or beside the folder of a git worktree, wt/<name>); the
SCHEDULE_STANDARD environment variable may name its folder instead. Tests that need it
skip, saying where they looked, when it is not there.
"""

import importlib.util
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def standard_folder() -> Path | None:
    """The folder holding score.py and example-small.json, if there is one."""
    if "SCHEDULE_STANDARD" in os.environ:
        candidates = [Path(os.environ["SCHEDULE_STANDARD"])]
    else:
        candidates = [base / "shared" / "standards" / "schedule" for base in ROOT.parents[:2]]
    return next((folder for folder in candidates if (folder / "score.py").exists()), None)


def scorer():
    """The score.py module, or skip the test saying why."""
    folder = standard_folder()
    if folder is None:
        pytest.skip(
            "needs the reference scorer ../shared/standards/schedule/score.py "
            "(or SCHEDULE_STANDARD=<its folder>)"
        )
    spec = importlib.util.spec_from_file_location("schedule_score", folder / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example_small() -> dict:
    """example-small.json from the standard."""
    scorer()  # skips when the standard is not there
    return json.loads((standard_folder() / "example-small.json").read_text())


def reference_score(instance: dict, solution: dict) -> dict:
    """What score.py says about a solution: valid, violations, terms, objective."""
    score = scorer()
    inst = score.load_instance(instance)
    return score.score(inst, score.load_solution(solution, inst))
