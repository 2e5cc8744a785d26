"""Turn skills and need text into comparable terms."""

from __future__ import annotations

import re
import unicodedata

# Spellings that mean the same skill; the value is the canonical term.
ALIASES: dict[str, str] = {
    "k8s": "kubernetes",
    "postgres": "postgresql",
    "psql": "postgresql",
    "pg": "postgresql",
    "js": "javascript",
    "ts": "typescript",
    "py": "python",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "ux": "user experience",
    "ui": "user interface",
    "golang": "go",
}

_WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping only what compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Split text into lower-case words; tag spellings (`quantum-gate`) split on the dash."""
    return _WORD.findall(fold(text).replace("-", " ").replace("_", " ").replace("/", " "))


def normalize(skill: str) -> str:
    """The canonical form of a skill: folded words, aliases applied."""
    joined = " ".join(words(skill))
    if joined in ALIASES:
        return ALIASES[joined]
    return " ".join(ALIASES.get(w, w) for w in joined.split())
