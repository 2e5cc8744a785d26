"""`whuffie eval DIR...`: does the matcher rank the members who really helped first?

Follows the matchbench protocol: profiles from `members.jsonl`, past resolved needs from
`history.jsonl`, then each need of `needs.jsonl` ranks every member but its asker from its
free `text` alone (never its `tags`). Reports MRR, Hit@1 and Hit@5 with every answerer as
gold, and P@1 / MRR on the needs with an accepted answer, with only that answerer as gold.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from matching.index import Matcher, Weights
from matching.semantic import shared_embedder
from matching.transformer import shared_transformer

MIN_RANKING = 100


@dataclass(frozen=True)
class SiteResult:
    """The figures for one site."""

    site: str
    needs: int
    mrr: float
    hit1: float
    hit5: float
    accepted: int
    accepted_p1: float
    accepted_mrr: float


class DataError(Exception):
    """A benchmark folder that cannot be read."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command line of `whuffie eval`."""
    parser.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="a matchbench site")
    parser.add_argument("--json", action="store_true", help="one JSON line per site")
    parser.add_argument(
        "--rankings", type=Path, metavar="FILE", help="write each need's ranking as JSON lines"
    )


def run(args: argparse.Namespace) -> int:
    """Evaluate every site given and print the figures; 0 on success, 2 on bad input."""
    out: TextIO = sys.stdout
    rankings = None
    try:
        if args.rankings is not None:
            rankings = args.rankings.open("w", encoding="utf-8")
        results = [evaluate_site(d, rankings) for d in args.dirs]
    except (DataError, OSError) as e:
        print(f"whuffie eval: {e}", file=sys.stderr)
        return 2
    finally:
        if rankings is not None:
            rankings.close()
    for r in results:
        if args.json:
            row = {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(r).items()}
            out.write(json.dumps(row) + "\n")
        else:
            out.write(
                f"{r.site:<18} needs {r.needs:>4}  MRR {r.mrr:.3f}  Hit@1 {r.hit1:.3f}  "
                f"Hit@5 {r.hit5:.3f}  | accepted {r.accepted:>3}: P@1 {r.accepted_p1:.3f}  "
                f"MRR {r.accepted_mrr:.3f}\n"
            )
    return 0


def evaluate_site(
    folder: Path, rankings: TextIO | None = None, weights: Weights | None = None
) -> SiteResult:
    """Build a matcher from one site's profiles and history, then rank each of its needs."""
    members = list(_jsonl(folder / "members.jsonl"))
    needs = list(_jsonl(folder / "needs.jsonl"))
    history_file = folder / "history.jsonl"
    history = list(_jsonl(history_file)) if history_file.exists() else []
    matcher = Matcher(weights, embedder=shared_embedder(), reader=shared_transformer())
    try:
        ids = [str(m["member_id"]) for m in members]
        matcher.add_members((str(m["member_id"]), m["skill_counts"]) for m in members)
        for h in sorted(history, key=lambda h: str(h["created_at"])):
            text = f"{h.get('title', '')} {h.get('body', '')}"
            matcher.record_helps(
                [str(a) for a in h["answerer_member_ids"]], text, _timestamp(h["created_at"])
            )
    except (KeyError, TypeError, ValueError) as e:
        raise DataError(f"{folder}: a profile or history line lacks a field ({e})") from e
    known = set(ids)
    mrr = hit1 = hit5 = 0.0
    accepted = accepted_p1 = accepted_mrr = 0.0
    for need in needs:
        try:
            text, asker = str(need["text"]), str(need.get("asker_id"))
            gold = {str(g) for g in need["gold_member_ids"]}
            need_id, answer = need["need_id"], need.get("accepted_member_id")
        except KeyError as e:
            raise DataError(f"{folder}: a need lacks the field {e}") from e
        ranking = [m for m, _ in matcher.rank_all(text, exclude={asker}) if m in known]
        if rankings is not None:
            rankings.write(json.dumps({"need_id": need_id, "ranking": ranking}) + "\n")
        first = next((i for i, m in enumerate(ranking) if m in gold), None)
        if first is not None:
            mrr += 1 / (first + 1)
            hit1 += first < 1
            hit5 += first < 5
        if answer is not None:
            accepted += 1
            position = ranking.index(str(answer)) if str(answer) in ranking else None
            if position is not None:
                accepted_p1 += position == 0
                accepted_mrr += 1 / (position + 1)
    n = max(1, len(needs))
    a = max(1.0, accepted)
    site = str(needs[0].get("site", folder.name)) if needs else folder.name
    return SiteResult(
        site,
        len(needs),
        mrr / n,
        hit1 / n,
        hit5 / n,
        int(accepted),
        accepted_p1 / a,
        accepted_mrr / a,
    )


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        raise DataError(f"{path} does not exist (expected a matchbench site folder)")
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"{path}:{number}: not valid JSON ({e.msg})") from e
            if not isinstance(row, dict):
                raise DataError(f"{path}:{number}: expected a JSON object")
            yield row


def _timestamp(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def main(argv: list[str] | None = None) -> int:
    """Run as `python -m matching.evaluate`."""
    parser = argparse.ArgumentParser(prog="whuffie eval", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
