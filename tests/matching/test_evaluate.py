"""`whuffie eval` on a tiny made-up site: figures, rankings file and friendly errors."""

import json
from pathlib import Path
from typing import TypedDict

import pytest

from matching import evaluate

MEMBERS = [
    {"member_id": "1", "skills": ["rust"], "skill_counts": {"rust": 3}, "n_answers": 3},
    {"member_id": "2", "skills": ["gardening"], "skill_counts": {"gardening": 2}, "n_answers": 2},
    {
        "member_id": "3",
        "skills": ["tax-returns"],
        "skill_counts": {"tax-returns": 1},
        "n_answers": 1,
    },
    {"member_id": "4", "skills": ["rust"], "skill_counts": {"rust": 1}, "n_answers": 0},
]
HISTORY = [
    {
        "question_id": "1",
        "created_at": "2024-01-01T10:00:00",
        "title": "Borrow checker",
        "body": "rust lifetimes",
        "tags": ["rust"],
        "answerer_member_ids": ["1"],
    },
    {
        "question_id": "2",
        "created_at": "2024-01-02T10:00:00",
        "title": "Tomatoes",
        "body": "yellow tomato leaves",
        "tags": ["gardening"],
        "answerer_member_ids": ["2"],
    },
    {
        "question_id": "3",
        "created_at": "2024-01-03T10:00:00",
        "title": "Deadline",
        "body": "tax return deadline",
        "tags": [],
        "answerer_member_ids": ["3"],
    },
]


class NeedRow(TypedDict):
    """One line of a site's needs.jsonl."""

    need_id: str
    site: str
    title: str
    body: str
    tags: list[str]
    text: str
    created_at: str
    asker_id: str
    gold_member_ids: list[str]
    accepted_member_id: str | None


NEEDS: list[NeedRow] = [
    {
        "need_id": "t:1",
        "site": "tiny",
        "title": "Rust",
        "body": "",
        "tags": ["gardening"],
        "text": "rust lifetimes again",
        "created_at": "2024-02-01T00:00:00",
        "asker_id": "4",
        "gold_member_ids": ["1"],
        "accepted_member_id": "1",
    },
    {
        "need_id": "t:2",
        "site": "tiny",
        "title": "Tomato",
        "body": "",
        "tags": ["rust"],
        "text": "my tomato leaves turn yellow",
        "created_at": "2024-02-02T00:00:00",
        "asker_id": "1",
        "gold_member_ids": ["2", "3"],
        "accepted_member_id": None,
    },
    {
        "need_id": "t:3",
        "site": "tiny",
        "title": "Taxes",
        "body": "",
        "tags": [],
        "text": "filing my tax returns",
        "created_at": "2024-02-03T00:00:00",
        "asker_id": "2",
        "gold_member_ids": ["3"],
        "accepted_member_id": "3",
    },
]


def write_site(folder: Path) -> Path:
    """A site folder in the matchbench layout."""
    folder.mkdir()
    for name, rows in (("members", MEMBERS), ("history", HISTORY), ("needs", NEEDS)):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_eval_prints_figures_and_rankings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each need's gold is found first from its text alone (the tags given are wrong on purpose)."""
    site = write_site(tmp_path / "tiny")
    rankings = tmp_path / "rankings.jsonl"
    code = evaluate.main([str(site), "--json", "--rankings", str(rankings)])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["site"] == "tiny"
    assert result["needs"] == 3
    assert result["mrr"] == result["hit1"] == result["hit5"] == 1.0
    assert result["accepted"] == 2
    assert result["accepted_p1"] == result["accepted_mrr"] == 1.0
    lines = [json.loads(line) for line in rankings.read_text().splitlines()]
    assert [line["need_id"] for line in lines] == ["t:1", "t:2", "t:3"]
    first = lines[0]["ranking"]
    assert sorted(first) == ["1", "2", "3"]  # everyone but the asker
    assert first[0] == "1"


def test_eval_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the figures come as one readable line per site."""
    assert evaluate.main([str(write_site(tmp_path / "tiny"))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tiny")
    assert "MRR 1.000" in out and "Hit@5 1.000" in out and "P@1 1.000" in out


def test_eval_friendly_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that is not a benchmark site is reported plainly, with exit code 2."""
    assert evaluate.main([str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    broken = write_site(tmp_path / "broken")
    (broken / "needs.jsonl").write_text("{not json\n")
    assert evaluate.main([str(broken)]) == 2
    assert "needs.jsonl:1: not valid JSON" in capsys.readouterr().err


def test_eval_scores_every_answerer_but_only_the_accepted_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any answerer ranked first is a hit; accepted figures count only the accepted answerer."""
    site = write_site(tmp_path / "tiny")
    need = NEEDS[0] | {
        "need_id": "t:9",
        "asker_id": "3",
        "gold_member_ids": ["2", "1"],  # the second answerer is the one the matcher puts first
        "accepted_member_id": "2",
    }
    (site / "needs.jsonl").write_text(json.dumps(need) + "\n")
    rankings = tmp_path / "rankings.jsonl"
    assert evaluate.main([str(site), "--json", "--rankings", str(rankings)]) == 0
    result = json.loads(capsys.readouterr().out)
    ranking = json.loads(rankings.read_text())["ranking"]
    assert ranking[:2] == ["1", "2"] and "3" not in ranking
    assert result["mrr"] == result["hit1"] == 1.0
    assert result["accepted"] == 1
    assert result["accepted_p1"] == 0.0
    assert result["accepted_mrr"] == 0.5
