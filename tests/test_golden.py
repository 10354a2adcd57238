"""Stream stability: the portable stream still gives the committed golden values.

``tests/golden/portable_v1.json`` holds, for two seeds, the first Philox words of two
streams and 128 values per distribution × dtype × (whole tensor, partition). The promise:
within a major version the same seed gives the same words and uniforms bit for bit, and
normals to a few ulp (transcendental functions differ between CPUs and libraries).
Regenerating the file is a breaking change.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from golden.make_golden import DISTRIBUTIONS, DTYPES, SEEDS, values, words

GOLDEN = json.loads((Path(__file__).parent / "golden" / "portable_v1.json").read_text())

#: ulp tolerance per dtype for the normals (uniforms are exact).
ULPS = 8


@pytest.mark.parametrize("key", sorted(GOLDEN["words"]))
def test_philox_words_are_unchanged(key):
    seed, stream = map(int, key.split("/"))
    assert words(seed, stream, 64) == GOLDEN["words"][key]


@pytest.mark.parametrize("partition", [False, True], ids=["whole", "partition"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_values_are_unchanged(seed, distribution, dtype, partition):
    key = f"{seed}/{distribution}/{dtype}/{'partition' if partition else 'whole'}"
    expected = np.array([float.fromhex(v) for v in GOLDEN["values"][key]])
    got = np.array([float.fromhex(v) for v in values(seed, distribution, dtype, partition)])
    if distribution == "uniform":
        assert np.array_equal(got, expected)
        return
    real = {"complex64": "float32", "complex128": "float64"}.get(dtype, dtype)
    spacing = np.spacing(np.abs(expected).astype(real)).astype(np.float64)
    # Near zero a Box–Muller value is r·cos θ: measure it against the ulp of its radius.
    floor = np.spacing(np.array(np.abs(expected).max() * 2**-8, dtype=real)).astype(np.float64)
    assert np.all(np.abs(got - expected) <= ULPS * np.maximum(spacing, floor))
