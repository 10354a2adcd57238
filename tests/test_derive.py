"""Named streams: ``derive_seed(seed, path)`` and ``Philox.child(path)``.

The derived seeds are pinned by golden values: they are part of vsinit's reproducibility
promise (a model initialized today gets the same weights from any later version).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import vsinit
from vsinit.rng import Philox, derive_seed

# (seed, path, derived seed), computed once with BLAKE2b as documented; never to change.
GOLDEN = [
    (0, "fc1.weight", 5607347335726204305),
    (0, "fc1.bias", 18163895294528895172),
    (1, "fc1.weight", 14301378803654115505),
    (2**64 - 1, "encoder.layers.0.attn.q_proj.weight", 13974473084202353044),
    (42, "", 10576261892630961301),
    (42, "é/ü", 1628559470268029280),
]


class TestDeriveSeed:
    @pytest.mark.parametrize(("seed", "path", "expected"), GOLDEN, ids=lambda v: repr(v)[:24])
    def test_golden_values(self, seed, path, expected):
        assert derive_seed(seed, path) == expected

    def test_same_in_another_process_with_another_hash_seed(self):
        code = "import vsinit; print(vsinit.rng.derive_seed(0, 'fc1.weight'))"
        env = {"PYTHONHASHSEED": "12345"}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        assert int(out.stdout) == GOLDEN[0][2]

    def test_names_are_compared_exactly(self):
        seeds = {derive_seed(3, p) for p in ("a.b", "a/b", "a.b ", "A.b", "a.b\x00")}
        assert len(seeds) == 5

    @pytest.mark.parametrize(
        ("seed", "path", "error", "match"),
        [
            (0, 1, TypeError, "`path` must be a string"),
            (0, b"fc", TypeError, "`path` must be a string"),
            (None, "fc", TypeError, "`seed` must be an int"),
            (-1, "fc", ValueError, "`seed` must satisfy"),
            (2**64, "fc", ValueError, "`seed` must satisfy"),
        ],
        ids=["int-path", "bytes-path", "no-seed", "negative-seed", "huge-seed"],
    )
    def test_bad_input(self, seed, path, error, match):
        with pytest.raises(error, match=match):
            derive_seed(seed, path)


class TestChild:
    def test_child_is_the_derived_seed(self):
        child = Philox(0).child("fc1.weight")
        assert (child.seed, repr(child)) == (
            GOLDEN[0][2],
            f"vsinit.rng.Philox(seed={GOLDEN[0][2]}, stream=0)",
        )

    def test_child_does_not_depend_on_calls_made(self):
        rng = Philox(5)
        before = rng.child("w").seed
        vsinit.he_uniform()((4, 4), rng=rng)
        assert rng.child("w").seed == before

    def test_child_values_are_pinned(self):
        values = vsinit.he_uniform()((2, 3), rng=Philox(0).child("fc1.weight"))
        words = np.asarray(values).view(np.uint32).tolist()
        assert words == [[1068084924, 3198694216, 1068220746], [1058979426, 1061375743, 1033990387]]

    def test_child_equals_the_seeded_initializer(self):
        a = vsinit.he_normal()((5, 7), rng=Philox(9).child("conv.weight"))
        b = vsinit.he_normal(seed=derive_seed(9, "conv.weight"))((5, 7))
        np.testing.assert_array_equal(a, b)
