"""Statistical audit of the portable stream: 10⁸ samples per distribution.

    python tests/audit.py [--samples 100000000] [--json FILE]

prints (and writes) the moments, tail masses and KS statistic of each distribution next
to their theoretical values. ``tests/test_audit.py`` runs it when ``VSINIT_AUDIT=1``.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
from scipy import stats

import vsinit

#: The standardized laws (unit variance) and their excess kurtosis.
LAWS = {
    "truncated_normal": stats.truncnorm(-2, 2, scale=1 / 0.87962566103423978),
    "untruncated_normal": stats.norm(),
    "uniform": stats.uniform(-math.sqrt(3), 2 * math.sqrt(3)),
}
TAILS = (1.0, 1.5)
SIDE = 10_000  # the full tensor is (rows, SIDE), generated in row blocks
CHUNK_ROWS = 1_000


def audit(distribution: str, samples: int, seed: int = 20261129) -> dict[str, float]:
    """Moments, tail masses and the KS statistic of ``samples`` standardized values."""
    rows = samples // SIDE
    init = vsinit.VarianceScaling(1.0, "fan_in", distribution, seed=seed)
    scale = 1 / init.scaling((rows, SIDE)).stddev
    values = np.empty(rows * SIDE, dtype=np.float32)
    for start in range(0, rows, CHUNK_ROWS):
        n = min(CHUNK_ROWS, rows - start)
        part = init((n, SIDE), partition_info=vsinit.PartitionInfo((rows, SIDE), (start, 0)))
        values[start * SIDE : (start + n) * SIDE] = part.reshape(-1)
    z = values.astype(np.float64) * scale
    law = LAWS[distribution]
    result = {
        "samples": float(z.size),
        "mean": float(z.mean()),
        "variance": float(z.var()),
        "skewness": float(stats.skew(z)),
        "excess_kurtosis": float(stats.kurtosis(z)),
        "theory_excess_kurtosis": float(law.stats(moments="k")),
        "max_abs": float(np.abs(z).max()),
    }
    for t in TAILS:
        result[f"tail_{t}"] = float(np.mean(np.abs(z) > t))
        result[f"theory_tail_{t}"] = float(2 * law.sf(t))
    z.sort()
    n = z.size
    cdf = law.cdf(z)
    result["ks"] = float(max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max()))
    result["ks_sqrt_n"] = result["ks"] * math.sqrt(n)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000_000)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    results = {}
    for distribution in LAWS:
        t0 = time.perf_counter()
        results[distribution] = audit(distribution, args.samples)
        results[distribution]["seconds"] = time.perf_counter() - t0
        print(distribution, json.dumps(results[distribution], indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
