"""A matcher kept in a file: read back as it was, or refused when it cannot be trusted."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from matching import Matcher, Reason
from matching.semantic import shared_embedder
from matching.snapshot import Unusable, fingerprint, load, save

QUERIES = ["my terraform state is locked", "slow postgres query", "a pitch deck for investors"]


def matcher() -> Matcher:
    """A small community with skills, history and meaning."""
    m = Matcher(embedder=shared_embedder())
    m.load_history(
        [
            ("3", "terraform plan hangs on a locked state", 1.0e9),
            ("2", "postgres vacuum never finishes", 1.0e9 + 60),
        ]
    )
    m.add_skill_rows(
        [
            ("1", "terraform"),
            ("1", "aws"),
            ("2", "PostgreSQL"),
            ("3", "pitch decks"),
            ("3", "fundraising"),
        ]
    )
    m.prepare()
    return m


def answers(m: Matcher) -> list[list[tuple[str, float, tuple[Reason, ...]]]]:
    """Who the matcher proposes for each query, with their score and reasons."""
    return [[(c.member_id, c.score, c.reasons) for c in m.match(q)] for q in QUERIES]


@pytest.fixture
def kept(tmp_path: Path) -> tuple[Path, Matcher, str]:
    """A matcher saved to a file: the file, the matcher, and the fingerprint it was saved with."""
    m = matcher()
    key = fingerprint(shared_embedder())
    path = tmp_path / "cache" / "one.snapshot"
    save(path, m, shared_embedder(), {"fingerprint": key, "version": 7})
    return path, m, key


def test_a_loaded_matcher_answers_as_the_one_saved(kept: tuple[Path, Matcher, str]) -> None:
    """Same candidates, scores and reasons; and it keeps changing like the original."""
    path, original, key = kept
    meta, loaded = load(path, shared_embedder(), key)

    assert meta["version"] == 7
    assert answers(loaded) == answers(original)
    for m in (original, loaded):
        m.add_skill("4", "kubernetes")
        m.record_help("4", "pods restarting in kubernetes", at=1.0e9 + 120)
    assert answers(loaded) == answers(original)
    assert [c.member_id for c in loaded.match("kubernetes pods crash")] == ["4"]


def test_the_file_is_private_and_nothing_is_left_beside_it(
    kept: tuple[Path, Matcher, str],
) -> None:
    """Only its owner may read it (it holds members' words)."""
    path, _, _ = kept
    assert path.stat().st_mode & 0o077 == 0
    assert path.parent.stat().st_mode & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize(
    "damage",
    ["cut short", "a byte changed", "empty", "not a snapshot", "header damaged"],
)
def test_a_damaged_file_is_refused(kept: tuple[Path, Matcher, str], damage: str) -> None:
    """A torn or corrupted file is never read as a matcher."""
    path, _, key = kept
    data = bytearray(path.read_bytes())
    if damage == "cut short":
        data = data[: len(data) // 2]
    elif damage == "a byte changed":
        data[len(data) // 2] ^= 0xFF
    elif damage == "empty":
        data = bytearray()
    elif damage == "not a snapshot":
        data = bytearray(b"member,display_name,skills\n")
    else:
        data[data.index(b"{") + 1] = ord("!")
    path.write_bytes(bytes(data))

    with pytest.raises(Unusable):
        load(path, shared_embedder(), key)


def test_a_file_from_other_code_or_another_model_is_refused(
    kept: tuple[Path, Matcher, str],
) -> None:
    """A snapshot written by another version of the matcher, or with another meaning model,
    is never loaded into this one."""
    path, _, key = kept
    assert fingerprint(shared_embedder(), b"other build code") != key
    assert fingerprint(None) != key
    with pytest.raises(Unusable, match="other code"):
        load(path, shared_embedder(), fingerprint(None))


def test_a_file_others_could_write_is_refused(kept: tuple[Path, Matcher, str]) -> None:
    """Unpickling runs code: a file another user could have written is never read."""
    path, _, key = kept
    os.chmod(path, 0o666)
    with pytest.raises(Unusable, match="another user"):
        load(path, shared_embedder(), key)


def test_a_failed_write_leaves_the_previous_file_whole(kept: tuple[Path, Matcher, str]) -> None:
    """A write that fails midway (here: something unpicklable) changes nothing on disk."""
    path, original, key = kept
    before = path.read_bytes()
    broken: Any = matcher()
    broken.weights = lambda: None  # cannot be pickled: the write fails after it began

    with pytest.raises(Exception, match="pickle"):
        save(path, broken, shared_embedder(), {"fingerprint": key, "version": 8})

    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert answers(load(path, shared_embedder(), key)[1]) == answers(original)
