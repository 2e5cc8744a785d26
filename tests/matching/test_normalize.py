"""Normalisation: skills written differently compare equal, and different skills do not."""

import pytest

from matching.normalize import normalize, stem, words


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("PostgreSQL", "postgresql"),
        ("  Machine   Learning ", "machine learning"),
        ("Café", "cafe"),
        ("quantum-gate", "quantum gate"),
        ("quantum_gates", "quantum gate"),
        ("Neural Networks", "neural network"),
        ("strategies", "strategy"),
        ("processes", "process"),
        ("C++", "c++"),
        ("C#", "c#"),
        ("Node.js", "nodejs"),
        ("CI/CD", "ci cd"),
    ],
)
def test_normalize_table(written: str, canonical: str) -> None:
    """Case, accents, spacing, dashes and plurals do not make a different skill."""
    assert normalize(written) == canonical


@pytest.mark.parametrize(
    ("alias", "skill"),
    [
        ("k8s", "Kubernetes"),
        ("postgres", "PostgreSQL"),
        ("Postgres", "postgresql"),
        ("js", "JavaScript"),
        ("golang", "Go"),
        ("ML", "machine learning"),
        ("sql server", "MSSQL"),
    ],
)
def test_aliases_table(alias: str, skill: str) -> None:
    """Well-known short names mean the same skill as the long one."""
    assert normalize(alias) == normalize(skill)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("js", "json"),
        ("java", "javascript"),
        ("status", "statu"),
        ("redis", "redi"),
        ("go", "goal"),
    ],
)
def test_different_skills_stay_different(a: str, b: str) -> None:
    """Words that only look alike are not merged by normalisation."""
    assert normalize(a) != normalize(b)


@pytest.mark.parametrize("word", ["analysis", "status", "class", "aws", "ios", "qubits2"])
def test_stem_leaves_non_plurals_alone(word: str) -> None:
    """A trailing s that is part of the word is kept."""
    assert stem(word) == word


def test_words_split_tag_spellings() -> None:
    """Tags split on dashes, underscores and slashes, and a sentence's full stop is dropped."""
    assert words("cardano-db-sync, my_app/CI.") == ["cardano", "db", "sync", "my", "app", "ci"]
