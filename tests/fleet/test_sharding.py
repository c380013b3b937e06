"""Shards: a stable share by the name's hash; auto/N from JOB_COMPLETION_INDEX."""

from __future__ import annotations

import pytest

from jiradoctor.fleet import sharding


def test_every_target_is_in_exactly_one_shard_and_shares_are_even() -> None:
    names = [f"customer-{i}" for i in range(2000)]
    shards = [sharding.Shard(k, 4) for k in range(4)]
    held = [[n for n in names if s.holds(n)] for s in shards]
    assert sorted(n for part in held for n in part) == sorted(names)
    assert all(400 < len(part) < 600 for part in held)


def test_adding_a_target_moves_no_other() -> None:
    names = [f"customer-{i}" for i in range(500)]
    before = {n: sharding.shard_of(n, 8) for n in names}
    after = {n: sharding.shard_of(n, 8) for n in [*names, "newcomer", "another"]}
    assert all(after[n] == before[n] for n in names)


def test_parse_k_of_n_and_auto() -> None:
    assert sharding.parse("0/3", {}) == sharding.Shard(0, 3)
    assert sharding.parse("auto/3", {"JOB_COMPLETION_INDEX": "2"}) == sharding.Shard(2, 3)


@pytest.mark.parametrize(
    "text, environ, words",
    [
        ("3/3", {}, "from 0 to 2"),
        ("-1/3", {}, "from 0 to 2"),
        ("1", {}, "give K/N"),
        ("1/0", {}, "give K/N"),
        ("auto/3", {}, "JOB_COMPLETION_INDEX is not set"),
        ("auto/3", {"JOB_COMPLETION_INDEX": "7"}, "from 0 to 2"),
    ],
)
def test_bad_shards_say_why(text: str, environ: dict[str, str], words: str) -> None:
    with pytest.raises(sharding.ShardError, match=words):
        sharding.parse(text, environ)
