"""Write the golden values of the portable stream (run once per major version).

    python tests/golden/make_golden.py

The file it writes, ``portable_v1.json``, is the stream-stability promise in data: the
tests compare every later version of vsinit against it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import vsinit
from vsinit._math.ops import Elementwise, WordOps
from vsinit.rng._namespace import compat_namespace
from vsinit.rng._portable import philox4x32

SEEDS = [0, 2**64 - 1]
DISTRIBUTIONS = ["truncated_normal", "untruncated_normal", "uniform"]
DTYPES = ["float16", "float32", "float64", "complex64", "complex128"]
SHAPE = (4, 32)  # 128 values per case
OFFSET = (3, 5)  # and a partition inside a larger tensor
FULL = (40, 50)


def words(seed: int, stream: int, blocks: int) -> list[str]:
    """The first Philox words of a stream, as hex."""
    ops = WordOps(Elementwise(compat_namespace("numpy"), None, None), "u64")
    c0, c1 = ops.counters(np.array([0], dtype=np.uint64), blocks)
    out = philox4x32(
        ops, (c0, c1, stream & 0xFFFFFFFF, stream >> 32), (seed & 0xFFFFFFFF, seed >> 32)
    )
    stacked = np.stack([np.asarray(w).reshape(-1) for w in out], axis=-1).reshape(-1)
    return [f"{int(w):08x}" for w in stacked]


def values(seed: int, distribution: str, dtype: str, partition: bool) -> list[str]:
    init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=seed)
    info = vsinit.PartitionInfo(FULL, OFFSET) if partition else None
    w = init(SHAPE, dtype=dtype, partition_info=info).reshape(-1)
    if w.dtype.kind == "c":
        w = np.stack([w.real, w.imag], axis=-1).reshape(-1)
    return [float(x).hex() for x in w.astype(np.float64)]


def main() -> None:
    golden = {
        "version": 1,
        "words": {
            f"{seed}/{stream}": words(seed, stream, 64) for seed in SEEDS for stream in (0, 7)
        },
        "values": {
            f"{seed}/{d}/{t}/{'partition' if p else 'whole'}": values(seed, d, t, p)
            for seed in SEEDS
            for d in DISTRIBUTIONS
            for t in DTYPES
            for p in (False, True)
        },
    }
    path = Path(__file__).with_name("portable_v1.json")
    path.write_text(json.dumps(golden, indent=0, sort_keys=True) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
