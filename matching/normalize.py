"""Turn skills and need text into comparable terms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Spellings that mean the same skill; the value is the canonical spelling (before stemming).
ALIASES: dict[str, str] = {
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "postgres": "postgresql",
    "psql": "postgresql",
    "pg": "postgresql",
    "js": "javascript",
    "ecmascript": "javascript",
    "ts": "typescript",
    "py": "python",
    "python3": "python",
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "nn": "neural network",
    "nlp": "natural language processing",
    "rl": "reinforcement learning",
    "ux": "user experience",
    "ui": "user interface",
    "golang": "go",
    "node.js": "nodejs",
    "react.js": "react",
    "reactjs": "react",
    "vue.js": "vue",
    "gcp": "google cloud",
    "aws": "amazon web services",
    "db": "database",
    "dbs": "database",
    "sql server": "mssql",
    "c sharp": "c#",
    "cpp": "c++",
}

# Words that say nothing about a skill; they never match one on their own.
_STOPWORD_TEXT = """
    a about above after again all also am an and any anyone are as at be because been before
    being below between both but by can could did do does doing don done each else
    etc even ever every few for from further get gets getting go goes going got had has have
    having he hello help her here hers hi him his how however i if im in into is isn it its
    just keep keeps kept know like looking make many may me might more most much must my
    need needed needs
    no nor not now of off on once one only or other our out over own please possible problem
    question questions really same see seem seems she should so some someone something such
    than thank thanks that the their them then there these they thing things this those
    through to too try trying two under until up us use used using very want wants was way
    we well were what when where whether which while who why will with without work works
    would yes yet you your"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# A word is letters or digits of any script (日本語,한국어, español), with the inner `+#.` of
# names like `c++`, `c#` and `node.js`.
_WORD = re.compile(r"[^\W_][\w+#.]*[\w+#]|[^\W_]")
_SPLIT = str.maketrans({"-": " ", "_": " ", "/": " "})
# Endings where a trailing "s" is part of the word, not a plural (status, analysis, redis).
_KEEP_S = ("ss", "us", "is", "os", "as", "js")


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping only what compares."""
    if text.isascii():  # nothing to decompose: the common case, kept fast
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Recompose what decomposition split without an accent (Hangul syllables, kana).
    return unicodedata.normalize("NFC", stripped).casefold()


def words(text: str) -> list[str]:
    """Split text into lower-case words; tag spellings (`quantum-gate`) split on the dash."""
    return [w.rstrip(".") for w in _WORD.findall(fold(text).translate(_SPLIT))]


def stem(word: str) -> str:
    """A light plural stemmer, so `gates` and `gate` compare equal; short words stay as typed."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The canonical words of a text: folded, aliases applied, plurals stemmed."""
    raw = words(text)
    joined = " ".join(raw)
    if joined in ALIASES:
        return [stem(w) for w in words(ALIASES[joined])]
    out: list[str] = []
    for w in raw:
        out.extend(_word_terms(w))
    return out


@lru_cache(maxsize=1 << 16)  # needs reuse a community's words: each is worked out once
def _word_terms(word: str) -> tuple[str, ...]:
    """One folded word's canonical terms: its alias's words, or itself, plurals stemmed."""
    return tuple(stem(w) for w in (words(ALIASES[word]) if word in ALIASES else [word]))


@lru_cache(maxsize=1 << 17)  # a community spells its skills a few thousand ways: reuse the work
def normalize(skill: str) -> str:
    """The canonical form of a skill: folded words, aliases applied, plurals stemmed."""
    return " ".join(terms(skill))
