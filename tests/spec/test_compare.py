"""spec compare: which of our routes a real spec confirms, contradicts or lacks, by route confidence."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mypref_harness import cli
from mypref_harness.resources import spec_file, swagger2_spec_file
from mypref_harness.spec.compare import compare_documents, render
from mypref_harness.spec.document import load_spec
from tests.fixtures.specs import make_swashbuckle

OURS = load_spec(None, validate=False).document
SWASHBUCKLE = load_spec(make_swashbuckle.FIXTURE, validate=False).document
RENAMED = load_spec(make_swashbuckle.RENAMED_FIXTURE, validate=False).document

# A guessed route of ours (x-route-confidence: guess) that "their" file serves at another path.
GUESSED = ("/{clientId}/EmailType/{typeId}", "patch")
THEIR_PATH = "/{clientId}/ContactTypes/Email/{typeId}"


def _with_guess_moved() -> dict[str, Any]:
    theirs = copy.deepcopy(OURS)
    item = theirs["paths"][GUESSED[0]]
    theirs["paths"].setdefault(THEIR_PATH, {})[GUESSED[1]] = item.pop(GUESSED[1])
    return theirs


def test_the_guessed_route_their_file_moved_is_contradicted_and_the_rest_confirmed() -> None:
    assert OURS["paths"][GUESSED[0]][GUESSED[1]]["x-route-confidence"] == "guess"
    result = compare_documents(OURS, _with_guess_moved())
    contradicted = result.of_state("contradicted")
    assert [(f.ours, f.theirs, f.matched_by, f.confidence) for f in contradicted] == [
        (
            "PATCH /Profiles/v4/{clientId}/EmailType/{typeId}",
            "PATCH /Profiles/v4/{clientId}/ContactTypes/Email/{typeId} (updateEmailType)",
            "operationId",
            "guess",
        )
    ]
    assert result.counts() == {
        "high": {"confirmed": 7, "contradicted": 0, "absent": 0},
        "medium": {"confirmed": 22, "contradicted": 0, "absent": 0},
        "guess": {"confirmed": 80, "contradicted": 1, "absent": 0},
    }
    assert result.only_theirs == []


def test_a_swagger2_export_with_other_names_and_a_base_path_confirms_every_route() -> None:
    """Swashbuckle: basePath /Profiles/v4, {ClientId}, Controller_Action ids: routes still meet."""
    result = compare_documents(OURS, SWASHBUCKLE)
    assert result.of_state("contradicted") == [] and result.of_state("absent") == []
    assert len(result.of_state("confirmed")) == 110
    assert result.only_theirs == []


def test_a_renamed_route_with_another_name_is_absent_until_the_operations_table_names_it() -> None:
    without = compare_documents(OURS, RENAMED)
    assert [(f.ours, f.confidence) for f in without.of_state("absent")] == [
        ("POST /Profiles/v4/{clientId}/Profile", "medium")
    ]
    assert without.only_theirs == ["POST /Profiles/v4/{ClientId}/Profiles (Profiles_Post)"]
    named = compare_documents(OURS, RENAMED, table={"create-profile": "Profiles_Post"})
    assert [(f.ours, f.matched_by) for f in named.of_state("contradicted")] == [
        ("POST /Profiles/v4/{clientId}/Profile", "role create-profile (table)")
    ]
    assert named.only_theirs == []


def test_a_file_without_route_confidence_counts_as_unknown() -> None:
    swagger2 = load_spec(swagger2_spec_file(), validate=False).document
    result = compare_documents(SWASHBUCKLE, swagger2)
    assert list(result.counts()) == ["unknown"]
    assert result.counts()["unknown"]["confirmed"] == 110


def test_the_table_groups_by_confidence_and_names_the_contradiction() -> None:
    text = render(
        compare_documents(OURS, _with_guess_moved(), ours="ours.yaml", theirs="theirs.json"), "table"
    )
    assert "  guess                 80             1             0" in text
    assert "[guess] PATCH /Profiles/v4/{clientId}/EmailType/{typeId} -> PATCH" in text
    assert text.rstrip().endswith("109 confirmed, 1 contradicted, 0 absent, 0 only in theirs")


def test_the_command_prints_json_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theirs = tmp_path / "theirs.json"
    theirs.write_text(json.dumps(_with_guess_moved()), encoding="utf-8")
    assert cli.main(["spec", "compare", str(spec_file()), str(theirs), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["guess"]["contradicted"] == 1
    assert sum(1 for f in report["findings"] if f["state"] == "confirmed") == 109


def test_the_command_takes_the_operations_table_of_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no mypref.toml of the checkout
    args = ["spec", "compare", str(spec_file()), str(make_swashbuckle.RENAMED_FIXTURE)]
    (tmp_path / "their.toml").write_text('[operations]\ncreate-profile = "Profiles_Post"\n', encoding="utf-8")
    assert cli.main([*args, "--config", str(tmp_path / "their.toml")]) == 0
    assert "by role create-profile (table)" in capsys.readouterr().out
    monkeypatch.setenv("MYPREF_OPERATIONS", "make-coffee=Profiles_Post")
    assert cli.main(args) == 2


def test_a_file_that_is_not_a_spec_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]", encoding="utf-8")
    assert cli.main(["spec", "compare", str(spec_file()), str(junk)]) == 2
