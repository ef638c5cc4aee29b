"""`flask --app conference agenda solve`: exit 0 with the best schedule written; exit 2,
writing nothing, naming the obstacle."""

import gzip
import json

from conference.scheduling.generate import generate

from .instances import instance, talk
from .reference import example_small, reference_score


def solve_args(instance_path, out, *more):
    return ["agenda", "solve", str(instance_path), "--out", str(out), "--time-limit", "1", *more]


def write(path, doc):
    path.write_text(json.dumps(doc))
    return path


def test_solve_writes_a_valid_schedule_and_reports_progress(runner, tmp_path):
    doc = example_small()
    out = tmp_path / "solution.json"
    result = runner.invoke(args=solve_args(write(tmp_path / "in.json", doc), out, "--seed", "3"))
    assert result.exit_code == 0, result.output
    solution = json.loads(out.read_text())
    reference = reference_score(doc, solution)
    assert reference["valid"]
    assert solution["stats"]["objective"] == reference["objective"]
    assert "Solving example-small: 24 talks, 4 blocks, 3 rooms" in result.stderr
    assert f"objective {reference['objective']}" in result.stderr
    assert f"written to {out}" in result.stderr
    assert result.stdout == ""


def test_solve_reads_gzip_and_a_previous_schedule(runner, tmp_path):
    doc = generate("XS", 4)
    packed = tmp_path / "in.json.gz"
    packed.write_bytes(gzip.compress(json.dumps(doc).encode()))
    first = tmp_path / "first.json"
    assert runner.invoke(args=solve_args(packed, first)).exit_code == 0
    again = tmp_path / "again.json"
    result = runner.invoke(
        args=solve_args(packed, again, "--previous", str(first), "--workers", "1")
    )
    assert result.exit_code == 0, result.output
    previous = json.loads(first.read_text())["placements"]
    reference = reference_score(doc | {"previous": previous}, json.loads(again.read_text()))
    assert reference["valid"] and reference["terms"]["moved"] == 0


def test_malformed_instance_exits_2_naming_the_field_and_writes_nothing(runner, tmp_path):
    doc = generate("XS", 0)
    doc["talks"][2]["minutes"] = -15
    out = tmp_path / "solution.json"
    result = runner.invoke(args=solve_args(write(tmp_path / "in.json", doc), out))
    assert result.exit_code == 2
    assert "talks[2].minutes: expected a whole number >= 1, not -15" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "in.json"]


def test_infeasible_instance_exits_2_with_the_reason(runner, tmp_path):
    doc = instance(
        [talk("p1", people=["somchai"]), talk("p2")],
        people=[{"id": "somchai", "unavailable": ["b1", "b2"]}],
    )
    out = tmp_path / "solution.json"
    result = runner.invoke(args=solve_args(write(tmp_path / "in.json", doc), out))
    assert result.exit_code == 2
    assert "Talk p1 (20 min) fits no block: somchai cannot make it in every block." in result.output
    assert not out.exists()


def test_unreadable_files_exit_2(runner, tmp_path):
    out = tmp_path / "solution.json"
    missing = runner.invoke(args=solve_args(tmp_path / "nowhere.json", out))
    assert missing.exit_code == 2 and "cannot be read" in missing.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ')
    not_json = runner.invoke(args=solve_args(broken, out))
    assert not_json.exit_code == 2 and "not JSON" in not_json.output
    bad_previous = write(tmp_path / "previous.json", {"format": "something else"})
    instance_path = write(tmp_path / "in.json", generate("XS", 0))
    previous = runner.invoke(args=solve_args(instance_path, out, "--previous", str(bad_previous)))
    assert previous.exit_code == 2
    assert "Malformed previous solution" in previous.output and "previous.format" in previous.output
    assert not out.exists()
