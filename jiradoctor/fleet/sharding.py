"""A stable share of the targets: target -> shard by a hash of its name, not its position.

Adding or removing a target never moves another one to a different shard, so a CI matrix's
shards keep their history. ``auto/N`` takes K from Kubernetes' ``JOB_COMPLETION_INDEX`` (0-based,
as an Indexed Job sets it). K is 0-based in ``K/N`` too: shard 0 to N-1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Mapping

INDEX_VARIABLE = "JOB_COMPLETION_INDEX"
MAX_SHARDS = 10_000


class ShardError(ValueError):
    pass


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    def holds(self, name: str) -> bool:
        return shard_of(name, self.count) == self.index


def shard_of(name: str, count: int) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % count


def parse(text: str, environ: Mapping[str, str]) -> Shard:
    """``K/N`` or ``auto/N`` -> Shard; ShardError says what is wrong in words."""
    k, sep, n = text.partition("/")
    if not sep or not n.isdigit() or not 1 <= int(n) <= MAX_SHARDS:
        raise ShardError(f"{text!r}: give K/N (K from 0 to N-1, N from 1 to {MAX_SHARDS}) or auto/N")
    count = int(n)
    if k == "auto":
        k = environ.get(INDEX_VARIABLE, "")
        if not k:
            raise ShardError(f"auto/{count}: {INDEX_VARIABLE} is not set (Kubernetes sets it in an Indexed Job)")
        where = f"{INDEX_VARIABLE}={k!r}"
    else:
        where = repr(text)
    if not k.isdigit() or not 0 <= int(k) < count:
        raise ShardError(f"{where}: the shard index must be a whole number from 0 to {count - 1}")
    return Shard(int(k), count)
