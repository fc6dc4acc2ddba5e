"""The catalog's pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fotoai.catalog.domain.cursor import InvalidCursor, decode_cursor, encode_cursor
from fotoai.catalog.domain.duplicates import Candidate, duplicate_of, hamming, phash_to_int
from fotoai.catalog.domain.lag import consumer_lag
from fotoai.catalog.domain.ordering import (
    model_version_key,
    newer,
    outcome_version,
    tagging_run_wins,
)
from fotoai.catalog.domain.status import camera_label, derive_status, failed_stages
from fotoai.catalog.use_cases import fuse
from hypothesis import given
from hypothesis import strategies as st

T = datetime(2026, 1, 1, tzinfo=UTC)


def test_outcome_versions_sort_by_rank_then_time_then_id() -> None:
    fail_late = outcome_version(0, T + timedelta(days=1), "z")
    event_early = outcome_version(1, T, "a")
    assert event_early > fail_late  # a real result beats a dead-letter failure
    assert outcome_version(1, T + timedelta(microseconds=1), "a") > outcome_version(1, T, "b")
    assert outcome_version(1, T, "b") > outcome_version(1, T, "a")
    naive = datetime(2026, 1, 1)
    assert outcome_version(1, naive, "a") == outcome_version(1, T, "a")
    assert newer("x", None) and not newer("a", "a")


@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 10**6), st.text("ab", min_size=1, max_size=3)), min_size=1))
def test_keeping_the_newest_version_is_order_independent(facts) -> None:
    versions = [outcome_version(r, T + timedelta(seconds=s), i) for r, s, i in facts]
    kept = None
    for v in reversed(versions):
        if newer(v, kept):
            kept = v
    assert kept == max(versions)


@pytest.mark.parametrize(("a", "b"), [("2.10", "2.9"), ("1.0", "1.0rc1"), ("v3", "v2"), ("model-12", "model-9"),
                                      ("1.0", "build-99")])
def test_model_versions(a: str, b: str) -> None:
    assert model_version_key(a) > model_version_key(b)


def test_tagging_runs_newer_model_version_wins_regardless_of_time() -> None:
    old = ("1.0", T + timedelta(hours=5), "x")
    new = ("1.1", T, "a")
    assert tagging_run_wins(new, old)
    assert not tagging_run_wins(old, new)
    assert tagging_run_wins(("1.1", T + timedelta(seconds=1), "a"), new)
    assert tagging_run_wins(old, None)


def test_status() -> None:
    assert derive_status(None, None, None) == "processing"
    assert derive_status("done", "done", None) == "processing"
    assert derive_status("done", "done", "done") == "ready"
    assert derive_status(None, "done", "done") == "processing"
    assert derive_status("rejected", None, None) == "rejected"


def test_a_stage_that_gave_up_makes_the_photo_degraded_never_ready() -> None:
    assert derive_status("done", "failed", "done") == "degraded"
    assert derive_status("done", "done", "failed") == "degraded"
    assert derive_status("done", "failed", "failed") == "degraded"
    assert derive_status("done", "failed", None) == "processing"  # tagging may still answer
    assert derive_status("failed", None, None) == "degraded"  # nothing will follow a failed ingest
    assert failed_stages({"ingest": "done", "enhance": "failed", "tagging": "failed"}) == ["enhance", "tagging"]
    assert failed_stages({"ingest": "done", "enhance": "done", "tagging": "pending"}) == []


def test_camera_label() -> None:
    assert camera_label("Canon", "Canon EOS R5") == "Canon EOS R5"
    assert camera_label("FUJIFILM", "X-T5") == "FUJIFILM X-T5"
    assert camera_label(None, None) is None


def test_phash_round_trips_into_a_signed_bigint() -> None:
    assert phash_to_int("ffffffffffffffff") == -1
    assert phash_to_int("0000000000000001") == 1
    a, b = phash_to_int("ffffffffffffffff"), phash_to_int("0fffffffffffffff")
    assert a is not None and b is not None and hamming(a, b) == 4
    assert phash_to_int(None) is None


def test_duplicate_of_is_the_earliest_match() -> None:
    a = Candidate("a", T, "s1", 0)
    b = Candidate("b", T + timedelta(1), "s2", 0b111111)
    c = Candidate("c", T + timedelta(2), "s1", 0xFFFF00)
    d = Candidate("d", T + timedelta(3), "s4", 0b1111111)
    pool = [a, b, c, d]
    assert [duplicate_of(x, pool) for x in pool] == [None, "a", "a", "b"]


def test_cursor_round_trip_and_tampering() -> None:
    c = encode_cursor(T, "p1")
    assert decode_cursor(c) == (T, "p1")
    for bad in ("", "abc", encode_cursor(T, "p")[:-3] + "!!!"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)


def test_consumer_lag() -> None:
    committed = {("t", 0): 5, ("t", 1): 10}
    ends = {("t", 0): 8, ("t", 1): 10, ("t", 2): 4, ("other", 0): 100}
    assert consumer_lag(committed, ends) == {("t", 0): 3, ("t", 1): 0, ("t", 2): 4}
    assert consumer_lag({("t", 0): 12}, {("t", 0): 10}) == {("t", 0): 0}


def test_fuse_ranks_items_found_by_both_first() -> None:
    a, b, c = {"id": "a"}, {"id": "b"}, {"id": "c"}
    assert [i["id"] for i in fuse([[a, b], [b, c]], 10)] == ["b", "a", "c"]
