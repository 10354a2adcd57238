"""The profile tables: the migration guides show them, and every row says what the code does.

``vsinit.compat._profiles.PROFILES`` is data; here each row's law (standard deviation and
bound) is checked against the code, and each guide in ``docs/migration`` must contain the
table rendered from it. Sample checks use fixed seeds and five standard errors.
"""

from __future__ import annotations

import importlib
import math
import re
from pathlib import Path

import numpy as np
import pytest

import vsinit
from vsinit.compat import _profiles, tf1
from vsinit.compat import jax as vjax
from vsinit.compat import keras as vkeras
from vsinit.compat import torch as vtorch

DOCS = Path(__file__).resolve().parent.parent / "docs" / "migration"
PAGES = {"tensorflow": "tensorflow.md", "keras": "keras.md", "jax": "jax.md", "torch": "pytorch.md"}
C = 0.87962566103423978

TF = (3, 3, 64, 32)  # (..., in, out): fan_in 576, fan_out 288
TORCH = (32, 64, 3, 3)  # (out, in, ...): the same fans
FAN_IN, FAN_OUT = 576, 288


def sd(x):
    return math.sqrt(x)


#: For each row: a function giving (observed std, observed bound or None) and the row's
#: claimed (std, bound). Scalings are exact; filled arrays are checked by sampling.
PROBES = {
    "tf2": (
        lambda: vsinit.VarianceScaling(2.0, "fan_in", "truncated_normal").scaling(TF),
        (sd(2 / FAN_IN), 2 * sd(2 / FAN_IN) / C),
    ),
    "tf1": (
        lambda: tf1.variance_scaling_initializer(2.0, "fan_in", "normal").scaling(TF),
        (sd(2 / FAN_IN), 2 * sd(2 / FAN_IN) / C),
    ),
    "tf1-legacy": (
        lambda: tf1.variance_scaling_initializer(
            2.0, "fan_in", "normal", truncation_correction=False
        ).scaling(TF),
        (C * sd(2 / FAN_IN), 2 * sd(2 / FAN_IN)),
    ),
    "contrib": (
        lambda: tf1.contrib_variance_scaling_initializer(2.0, "FAN_IN", False).scaling(TF),
        (C * sd(1.3 * 2 / FAN_IN), 2 * sd(1.3 * 2 / FAN_IN)),
    ),
    "contrib-uniform": (
        lambda: tf1.contrib_variance_scaling_initializer(2.0, "FAN_IN", True).scaling(TF),
        (sd(2 / FAN_IN), sd(3 * 2 / FAN_IN)),
    ),
    "keras3": (
        lambda: vkeras.VarianceScaling(2.0, "fan_in", "normal").scaling(TF),
        (sd(2 / FAN_IN), 2 * sd(2 / FAN_IN) / C),
    ),
    "keras3-axes": (
        lambda: vkeras.VarianceScaling(2.0, "fan_in", input_axes=[0], output_axes=[1, 2]).scaling(
            (64, 8, 16)
        ),
        (sd(2 / 64), 2 * sd(2 / 64) / C),
    ),
    "keras3-preset": (
        lambda: vkeras.HeNormal().scaling(TF),
        (sd(2 / FAN_IN), 2 * sd(2 / FAN_IN) / C),
    ),
    "keras2-legacy": (
        lambda: tf1.VarianceScaling(2.0, "fan_in", "normal", truncation_correction=False).scaling(
            TF
        ),
        (C * sd(2 / FAN_IN), 2 * sd(2 / FAN_IN)),
    ),
    "jax-normal": (
        lambda: vjax.variance_scaling(2.0, "fan_in", "normal").scaling(TF),
        (sd(2 / FAN_IN), None),
    ),
    "jax-truncated": (
        lambda: vjax.variance_scaling(2.0, "fan_in", "truncated_normal").scaling(TF),
        (sd(2 / FAN_IN), 2 * sd(2 / FAN_IN) / C),
    ),
    "jax-uniform": (
        lambda: vjax.variance_scaling(2.0, "fan_in", "uniform").scaling(TF),
        (sd(2 / FAN_IN), sd(3 * 2 / FAN_IN)),
    ),
    "jax-preset": (
        lambda: vjax.he_normal().scaling(TF),
        (sd(2 / FAN_IN), 2 * sd(2 / FAN_IN) / C),
    ),
    "kaiming-uniform": (
        lambda: vtorch.kaiming_uniform_(np.empty(TORCH), 0, "fan_in", "relu", 1),
        (sd(2 / FAN_IN), sd(3 * 2 / FAN_IN)),
    ),
    "kaiming-normal": (
        lambda: vtorch.kaiming_normal_(np.empty(TORCH), 0, "fan_out", "tanh", 1),
        ((5 / 3) / sd(FAN_OUT), None),
    ),
    "xavier-uniform": (
        lambda: vtorch.xavier_uniform_(np.empty(TORCH), 2.0, 1),
        (2.0 * sd(2 / (FAN_IN + FAN_OUT)), 2.0 * sd(6 / (FAN_IN + FAN_OUT))),
    ),
    "xavier-normal": (
        lambda: vtorch.xavier_normal_(np.empty(TORCH), 2.0, 1),
        (2.0 * sd(2 / (FAN_IN + FAN_OUT)), None),
    ),
    "trunc-normal": (
        lambda: vtorch.trunc_normal_(np.empty(TORCH), 0.0, 0.5, -0.5, 0.5, 1),
        (0.5 * 0.5395601, 0.5),  # std of N(0, 1) truncated to (-1, 1): 0.5395601
    ),
    "torch-core": (
        lambda: vsinit.he_normal(seed=1, in_axis=1, out_axis=0).fill_(np.empty(TORCH)),
        (sd(2 / FAN_IN), 2 * sd(2 / FAN_IN) / C),
    ),
}


def rows():
    for anchor, table in _profiles.PROFILES.items():
        for row in table:
            yield pytest.param(anchor, row, id=row.key)


def test_every_row_has_a_probe_and_keys_are_unique():
    keys = [row.key for table in _profiles.PROFILES.values() for row in table]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(PROBES)


@pytest.mark.parametrize(("anchor", "row"), list(rows()))
def test_row_states_the_law(anchor, row):
    probe, (std, bound) = PROBES[row.key]
    result = probe()
    if isinstance(result, np.ndarray):
        w = result.astype(np.float64)
        assert abs(w.std() - std) < 5 * std / math.sqrt(w.size) * 1.2
        if bound is not None:
            assert np.abs(w).max() <= bound
            assert np.abs(w).max() > 0.9 * bound
        else:
            assert np.abs(w).max() > 2.5 * std  # not truncated at 2σ
    else:
        assert result.stddev == pytest.approx(std, rel=1e-12)
        assert result.bound == (None if bound is None else pytest.approx(bound, rel=1e-12))


@pytest.mark.parametrize(("anchor", "row"), list(rows()))
def test_row_names_existing_vsinit_callables(anchor, row):
    for name in re.findall(r"vsinit(?:\.\w+)+", row.vsinit):
        module, _, attribute = name.rpartition(".")
        while module:
            try:
                target = importlib.import_module(module)
                break
            except ImportError:
                module, _, parent = module.rpartition(".")
                attribute = f"{parent}.{attribute}"
        for part in attribute.split("."):
            target = getattr(target, part)
        assert callable(target), name


@pytest.mark.parametrize("anchor", list(_profiles.PROFILES))
def test_migration_guide_shows_the_table(anchor):
    page = (DOCS / PAGES[anchor]).read_text()
    assert _profiles.markdown(anchor) in page, (
        f"docs/migration/{PAGES[anchor]} does not contain the table of PROFILES[{anchor!r}]; "
        f"paste vsinit.compat._profiles.markdown({anchor!r}) into it."
    )
