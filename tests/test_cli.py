"""The CLI: every command has help with an example; exit codes; JSON shapes."""
import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from harmwatch import settings
from harmwatch.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _commands(cmd, prefix=()):
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, prefix + (name,))
    else:
        yield prefix, cmd


@pytest.mark.parametrize("path,cmd", list(_commands(get_command(app))), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_has_help_with_an_example(path, cmd):
    res = runner.invoke(app, [*path, "--help"])
    assert res.exit_code == 0
    assert "Example:" in (cmd.help or ""), f"{' '.join(path)} has no example in its help"
    assert "harmwatch " + path[0] in cmd.help


def test_documented_commands_exist():
    """Every `harmwatch <command>` line in the README names a real command."""
    names = {p[0] for p, _ in _commands(get_command(app))}
    readme = (ROOT / "README.md").read_text()
    used = {line.split()[1] for line in readme.splitlines() if line.strip().startswith("harmwatch ")}
    assert used and used <= names


def test_settings_table_lists_every_setting():
    res = runner.invoke(app, ["settings"])
    assert res.exit_code == 0
    for s in settings.ALL:
        assert s.env in res.stdout


def test_eval_scores_a_perfect_prediction(tmp_path):
    rec = {"doc_id": "d1", "incidents": [{"date": "2022-02-24", "place": "Uman", "admin1": "Cherkasy", "lat": 48.75,
                                          "lon": 30.22, "killed": 1, "injured": None, "weapon_class": "unknown", "objects": ["restaurant"]}],
           "tallies": []}
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps(rec) + "\n")
    res = runner.invoke(app, ["eval", str(gold), str(gold), "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["incident_f1"] == 1.0 and s["killed_acc"] == 1.0


def test_eval_counts_a_miss_and_an_extra(tmp_path):
    g = {"doc_id": "d1", "incidents": [{"date": "2022-02-24", "place": "Uman", "lat": 48.75, "lon": 30.22}], "tallies": []}
    p = {"doc_id": "d1", "incidents": [{"date": "2022-02-24", "place": "Lviv", "lat": 49.84, "lon": 24.03}], "tallies": []}
    (tmp_path / "g.jsonl").write_text(json.dumps(g) + "\n")
    (tmp_path / "p.jsonl").write_text(json.dumps(p) + "\n")
    res = runner.invoke(app, ["eval", str(tmp_path / "g.jsonl"), str(tmp_path / "p.jsonl"), "--json"])
    s = json.loads(res.stdout)
    assert (s["incident_tp"], s["incident_fp"], s["incident_fn"]) == (0, 1, 1)


def test_eval_rejects_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    res = runner.invoke(app, ["eval", str(bad), str(bad)])
    assert res.exit_code == 2
    assert "not JSON" in " ".join(res.output.split())
