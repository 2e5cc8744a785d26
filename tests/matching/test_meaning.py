"""Needs in everyday words reach the skill they mean; nobody is asked when nothing fits."""

import pickle
import socket
import time
from collections.abc import Iterator, Sequence

import pytest

from matching import Matcher, PastHelp
from matching.semantic import StaticEmbedder, Vectors, model_dir, shared_embedder
from matching.transformer import TransformerEmbedder, shared_transformer

COMMUNITY = {
    "ana": ["PostgreSQL", "query tuning"],
    "bruno": ["Kubernetes (k8s)", "Helm"],
    "elena": ["resume review", "interview prep"],
    "farid": ["tax returns", "bookkeeping"],
    "hiro": ["日本語"],
    "mina": ["한국어"],
    "rui": ["Ruby on Rails"],
    "uma": ["sourdough & baking"],
    "wen": ["public speaking"],
}


def community(with_meaning: bool = True) -> Matcher:
    """A small community whose members each offer a few everyday skills."""
    if with_meaning:
        matcher = Matcher(embedder=shared_embedder(), reader=shared_transformer())
    else:
        matcher = Matcher()
    for member, skills in COMMUNITY.items():
        matcher.add_member(member, skills)
    return matcher


def asked(matcher: Matcher, need: str) -> list[str]:
    """Whom the bot would ask about a need, best first."""
    return [c.member_id for c in matcher.match(need)]


@pytest.mark.parametrize(
    ("need", "helper"),
    [
        ("can someone look at my CV before I apply?", "elena"),
        ("help with my taxes please, first year freelancing", "farid"),
        ("my bread comes out flat and dense", "uma"),
        ("I'm terrified of blanking on stage at my first conference talk", "wen"),
    ],
)
def test_a_need_in_everyday_words_reaches_the_skill_it_means(need: str, helper: str) -> None:
    """A need that never names the skill still reaches the member who offered it."""
    assert asked(community(), need)[:1] == [helper]


@pytest.mark.parametrize(
    ("need", "helper"),
    [
        ("pods stuck in CrashLoopBackOff since the last deploy", "bruno"),
        ("W-2 and 1099 in the same year, what do I file", "farid"),
    ],
)
def test_jargon_is_read_in_context_and_reaches_the_skill(need: str, helper: str) -> None:
    """Words no skill contains ('CrashLoopBackOff', 'W-2') still reach the skill they mean."""
    assert asked(community(), need)[:1] == [helper]
    assert helper not in asked(community(with_meaning=False), need)


def test_a_big_backlog_is_read_in_batches_and_a_new_offer_at_once() -> None:
    """Skills waiting to be read do not stop a search; the newest offer is read by it."""
    matcher = Matcher(embedder=shared_embedder(), reader=shared_transformer())
    for i in range(200):
        matcher.add_member(f"m{i}", [f"stamp collecting club {i}"])
    matcher.prepare(read=0)
    assert len(matcher.unread_skills(1000)) == 200
    matcher.add_member("bruno", ["Kubernetes"])
    assert asked(matcher, "pods stuck in CrashLoopBackOff") == ["bruno"]
    # A batch embedded elsewhere is taken, except a skill dropped in the meantime.
    batch = matcher.unread_skills(10)
    matcher.remove_member("m0")
    model = matcher.skill_model
    assert model is not None
    before = len(matcher.unread_skills(1000))
    matcher.read_skills(batch, model.embed([text for _, text in batch]))
    assert len(matcher.unread_skills(1000)) == before - 9
    assert "m0" not in asked(matcher, "stamp collecting club 0")


def test_a_search_never_reads_the_backlog_a_build_left_for_later() -> None:
    """While a big community's skills are read in the background, a search reads only the
    skills offered since: otherwise every command would pay for part of the backlog."""
    matcher = Matcher(embedder=shared_embedder(), reader=shared_transformer())
    for i in range(200):
        matcher.add_member(f"m{i}", [f"stamp collecting club {i}"])
    matcher.prepare(read=0)
    matcher.add_member("bruno", ["Kubernetes"])
    assert asked(matcher, "pods stuck in CrashLoopBackOff") == ["bruno"]
    assert asked(matcher, "my bread comes out flat") == []
    waiting = matcher.unread_skills(1000)
    assert len(waiting) == 200
    assert all(text.startswith("stamp collecting") for _, text in waiting)
    matcher.prepare()  # a build that reads everything still does
    assert matcher.unread_skills(1000) == []


@pytest.mark.parametrize(
    ("need", "helper"),
    [
        ("our rails app has n+1 queries everywhere", "rui"),
        ("k8s ingress returns 404 for every path", "bruno"),
    ],
)
def test_a_skill_of_several_words_matches_by_its_telling_part(need: str, helper: str) -> None:
    """'rails' reaches 'Ruby on Rails'; 'k8s' reaches 'Kubernetes (k8s)'."""
    assert asked(community(), need)[:1] == [helper]


def test_a_generic_word_alone_never_makes_a_match() -> None:
    """'review' or 'help' alone do not make the resume reviewer the one to ask."""
    assert "elena" not in asked(community(with_meaning=False), "could I get a review and help")


@pytest.mark.parametrize(
    "need",
    [
        "our cat stopped eating since yesterday",
        "knitting my first sweater and the gauge is way off",
        "my car makes a grinding noise when I brake",
    ],
)
def test_nobody_is_asked_when_nobody_fits(need: str) -> None:
    """A need far from every skill asks nobody rather than someone vaguely related."""
    assert asked(community(), need) == []


def test_skills_in_any_script_are_kept_and_matched() -> None:
    """A skill written only in Japanese or Korean is in the profile and matches its name."""
    matcher = community()
    assert matcher.skills_of("hiro") == ["日本語"]
    assert matcher.skills_of("mina") == ["한국어"]
    assert asked(matcher, "日本語 practice partner?")[:1] == ["hiro"]
    assert asked(matcher, "한국어 공부")[:1] == ["mina"]


def test_a_semantic_match_says_what_the_need_is_about() -> None:
    """The reason names the need's word and the member's skill it sounds like."""
    best = community().match("can someone look at my CV before I apply?")[0]
    semantic = [r for r in best.reasons if r.kind == "semantic"]
    assert semantic and semantic[0].skill == "resume review"
    assert semantic[0].matched == "CV"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


def test_loading_the_model_and_matching_need_no_network(no_network: None) -> None:
    """The model loads from the installed package's files and matches offline, quickly."""
    root = model_dir()
    started = time.perf_counter()
    embedder = StaticEmbedder(
        root / "weights" / "l2_supercat_256.safetensors",
        root / "tokenizers" / "l2_supercat_tokenizer_config.json",
    )
    loaded_s = time.perf_counter() - started
    started = time.perf_counter()
    reader = TransformerEmbedder()
    read_s = time.perf_counter() - started
    matcher = Matcher(embedder=embedder, reader=reader)
    matcher.add_member("elena", ["resume review"])
    matcher.add_member("bruno", ["Kubernetes"])
    assert [c.member_id for c in matcher.match("please look at my CV")] == ["elena"]
    assert [c.member_id for c in matcher.match("pods stuck in CrashLoopBackOff")] == ["bruno"]
    print(f"models loaded in {loaded_s:.2f} s and {read_s:.2f} s")


@pytest.mark.parametrize(
    ("need", "topic"),
    [
        ("can someone look at my CV? applying for product roles", "CV"),
        ("borrow checker won't let me push to a vec", "borrow checker"),
        ("which car insurance should I pick", "car insurance"),
        ("my tax return is late", "tax returns"),
        ("I want to go deep into category theory", "category theory"),
        ("our pods keep getting OOMKilled in k8s", "Kubernetes (k8s)"),
        ("Hilfe bei meiner Steuererklärung bitte", "Steuererklärung"),
        ("necesito ayuda con mi declaración de la renta", "declaración"),
    ],
)
def test_the_topic_of_a_need_is_one_a_person_would_recognise(need: str, topic: str) -> None:
    """An unmet need's topic is a skill or a phrase of the need, never a stray word."""
    assert community().topics(need)[0] == topic


def test_a_skill_written_as_one_word_is_not_matched_by_part_of_its_long_form() -> None:
    """'ML' stands whole: "a machine" in a need about pasta does not reach it."""
    matcher = Matcher(embedder=shared_embedder())
    matcher.add_member("kwame", ["ML", "PyTorch"])
    matcher.add_member("uma", ["cooking"])
    assert "kwame" not in asked(matcher, "want to learn to make fresh pasta without a machine")
    assert asked(matcher, "which machine learning course first?") == ["kwame"]


def test_a_short_name_means_its_long_form_to_the_model() -> None:
    """'nn' is a neural network: a need about training one on photos asks no photographer."""
    matcher = Matcher(embedder=shared_embedder())
    matcher.add_member("kim", ["ML", "PyTorch"])
    matcher.add_member("lou", ["portrait photography"])
    assert "lou" not in asked(matcher, "training an nn on pictures of my cats")


def test_a_past_need_of_the_same_meaning_points_to_its_helper() -> None:
    """Who helped with "wifi keeps disconnecting" goes first for "internet connection drops out"."""
    matcher = Matcher(embedder=shared_embedder())
    matcher.add_member("amy", ["home networking"])
    matcher.add_member("zed", ["home networking"])
    matcher.record_help("amy", "terraform state is locked", at=1_000.0)
    matcher.record_help("zed", "wifi keeps disconnecting", at=1_000.0)
    best = matcher.match("internet connection drops out")[0]
    assert best.member_id == "zed"
    # Alike in meaning, not in words: the reason names no shared words.
    assert [r for r in best.reasons if r.kind == "history"] == [PastHelp(shared=())]


def test_a_forgotten_member_is_not_found_by_the_meaning_of_their_past_help() -> None:
    """After /forgetme, the needs someone helped with no longer point to them."""
    matcher = Matcher(embedder=shared_embedder())
    matcher.add_member("amy", ["home networking"])
    matcher.add_member("zed", ["home networking"])
    matcher.record_help("zed", "wifi keeps disconnecting", at=1_000.0)
    matcher.remove_member("zed")
    matcher.add_member("zed", ["home networking"])  # back as a new member, with no past
    best = matcher.match("internet connection drops out")[0]
    assert best.member_id == "amy"
    assert not [r for r in best.reasons if r.kind == "history"]


def test_the_two_pass_search_finds_the_nearest_rows_with_exact_cosines() -> None:
    """Shortlisting on leading dimensions still returns the nearest rows, cosines exact."""
    import numpy as np

    from matching.semantic import Rows

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((5000, 128)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = Rows(128)
    for i, v in enumerate(vectors):
        rows.set(i, v)
    for target in range(0, 5000, 250):
        query = vectors[target] + 0.05 * rng.standard_normal(128).astype(np.float32)
        query /= np.linalg.norm(query)
        found, cosines = rows.top(query, len(vectors), 4)
        exact = vectors @ query
        assert found[0] == target == int(np.argmax(exact))
        assert np.allclose(cosines, exact[found], atol=1e-5)
        assert list(cosines) == sorted(cosines, reverse=True)


def test_a_need_is_read_once_however_often_it_is_listed() -> None:
    """An /offer or another member's /needs does not read the same need again."""
    matcher = Matcher(embedder=shared_embedder(), reader=shared_transformer())
    matcher.add_member("bruno", ["Kubernetes"])
    needs = ["pods stuck in CrashLoopBackOff", "the wifi drops every evening, router or ISP?"]
    reader = matcher.skill_model
    assert isinstance(reader, TransformerEmbedder)
    calls: list[int] = []
    embed = reader.embed

    def counting(texts: Sequence[str]) -> Vectors:
        calls.append(len(texts))
        return embed(texts)

    first = [c is not None for c in matcher.explain_each(needs, "bruno")]
    assert first == [True, False]
    reader.embed = counting  # type: ignore[method-assign]
    try:
        matcher.add_member("ivo", ["home networking"])  # the skills change: lists are redone
        assert [c is not None for c in matcher.explain_each(needs, "bruno")] == first
        assert [c is not None for c in matcher.explain_each(needs, "ivo")] == [False, True]
    finally:
        del reader.embed
    assert sum(calls) <= 1  # only ivo's new skill, never a need again


def test_a_forgotten_member_leaves_no_need_of_theirs_in_the_matcher() -> None:
    """After /forgetme, the needs read so far are dropped with everything else of them."""
    matcher = Matcher(embedder=shared_embedder(), reader=shared_transformer())
    matcher.add_member("bruno", ["Kubernetes"])
    list(matcher.explain_each(["my secret pods keep crashing"], "bruno"))
    matcher.remove_member("zed")
    assert "my secret pods keep crashing" not in pickle.dumps(matcher).decode("latin-1")
