"""What each profile does, as data: the tables of the migration guides are rendered from it.

``PROFILES[anchor]`` lists, for each entry point of the anchor framework, the vsinit call
that reproduces it, the law of its samples and what it does with degenerate shapes. The
test suite checks every row against the code (the law's standard deviation and bound)
and that ``docs/migration/*.md`` holds :func:`markdown` of it.

In the laws, ``n`` is the fan chosen by ``mode``, ``TN`` is a standard normal truncated
to (-2, 2) and ``c = 0.87962566103423978`` is its standard deviation.

May import: the standard library only (data).
"""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    """One entry point of an anchor framework and its vsinit equivalent."""

    #: A stable identifier (the tests key their checks by it).
    key: str
    #: What the user wrote.
    anchor: str
    #: What to write with vsinit.
    vsinit: str
    #: The law of the samples.
    law: str
    #: Fans and degenerate shapes.
    shapes: str


_TF_SHAPES = "`(..., in, out)`; rank 0: n = 1; rank 1: fan_in = fan_out = size; n ≥ 1"
_TORCH_SHAPES = "`(out, in, *kernel)`; < 2 dims: `ValueError`"

PROFILES: dict[str, tuple[Row, ...]] = {
    "tensorflow": (
        Row(
            "tf2",
            '`tf.keras.initializers.VarianceScaling(scale, mode, "truncated_normal", seed)`',
            '`vsinit.VarianceScaling(scale, mode, "truncated_normal", seed)`',
            "`TN · sqrt(scale/n) / c`: std `sqrt(scale/n)`, bound `2·sqrt(scale/n)/c`",
            _TF_SHAPES,
        ),
        Row(
            "tf1",
            '`tf.compat.v1.variance_scaling_initializer(scale, mode, "normal", seed, dtype)`',
            '`vsinit.compat.tf1.variance_scaling_initializer(scale, mode, "normal", seed, dtype)`',
            "as above; the config keeps `dtype` and `'normal'`",
            _TF_SHAPES,
        ),
        Row(
            "tf1-legacy",
            'TF ≤ 1.9 `tf.variance_scaling_initializer(scale, mode, "normal")`',
            '`vsinit.compat.tf1.variance_scaling_initializer(scale, mode, "normal", '
            "truncation_correction=False)`",
            "`TN · sqrt(scale/n)`: std `c·sqrt(scale/n)`, bound `2·sqrt(scale/n)`",
            _TF_SHAPES,
        ),
        Row(
            "contrib",
            "`tf.contrib.layers.variance_scaling_initializer(factor, mode, uniform=False)`",
            "`vsinit.compat.tf1.contrib_variance_scaling_initializer(factor, mode, False)`",
            "`TN · sqrt(1.3·factor/n)`: std `c·sqrt(1.3·factor/n)`, bound `2·sqrt(1.3·factor/n)`",
            "`(..., in, out)`; rank 0 or n = 0: `ValueError`",
        ),
        Row(
            "contrib-uniform",
            "`tf.contrib.layers.variance_scaling_initializer(factor, mode, uniform=True)`",
            "`vsinit.compat.tf1.contrib_variance_scaling_initializer(factor, mode, True)`",
            "`U(±sqrt(3·factor/n))`",
            "`(..., in, out)`; rank 0 or n = 0: `ValueError`",
        ),
    ),
    "keras": (
        Row(
            "keras3",
            "`keras.initializers.VarianceScaling(scale, mode, distribution, seed)`",
            "`vsinit.compat.keras.VarianceScaling(scale, mode, distribution, seed)`",
            "`TN · sqrt(scale/n) / c` (`'normal'` too), `N(0, scale/n)`, `U(±sqrt(3·scale/n))`",
            _TF_SHAPES,
        ),
        Row(
            "keras3-axes",
            "`keras.initializers.VarianceScaling(..., input_axes=[0], output_axes=[1, 2])`",
            "`vsinit.compat.keras.VarianceScaling(..., input_axes=[0], output_axes=[1, 2])`",
            "as above",
            "fan_in = prod(shape[input_axes]), fan_out = prod(shape[output_axes]), "
            "other axes ignored",
        ),
        Row(
            "keras3-preset",
            "`keras.initializers.HeNormal(seed)` (and the other presets)",
            "`vsinit.compat.keras.HeNormal(seed)`",
            "`TN · sqrt(2/fan_in) / c`",
            _TF_SHAPES,
        ),
        Row(
            "keras2-legacy",
            'Keras ≤ 2.1 `VarianceScaling(scale, mode, "normal")`',
            '`vsinit.compat.tf1.VarianceScaling(scale, mode, "normal", '
            "truncation_correction=False)`",
            "`TN · sqrt(scale/n)`: std `c·sqrt(scale/n)`, bound `2·sqrt(scale/n)`",
            _TF_SHAPES,
        ),
    ),
    "jax": (
        Row(
            "jax-normal",
            '`jax.nn.initializers.variance_scaling(scale, mode, "normal")`',
            '`vsinit.compat.jax.variance_scaling(scale, mode, "normal")`',
            "`N(0, scale/n)`, untruncated",
            "`in_axis`, `out_axis`, `batch_axis`; rank < 2 with the default `in_axis`, "
            "zero-size dimensions: `ValueError`",
        ),
        Row(
            "jax-truncated",
            '`jax.nn.initializers.variance_scaling(scale, mode, "truncated_normal")`',
            '`vsinit.compat.jax.variance_scaling(scale, mode, "truncated_normal")`',
            "`TN · sqrt(scale/n) / c`",
            "as above",
        ),
        Row(
            "jax-uniform",
            '`jax.nn.initializers.variance_scaling(scale, mode, "uniform")`',
            '`vsinit.compat.jax.variance_scaling(scale, mode, "uniform")`',
            "`U(±sqrt(3·scale/n))`",
            "as above",
        ),
        Row(
            "jax-preset",
            "`jax.nn.initializers.he_normal()` (and `glorot_*`, `xavier_*`, `kaiming_*`, "
            "`lecun_*`)",
            "`vsinit.compat.jax.he_normal()`",
            "`TN · sqrt(2/fan_in) / c`",
            "as above",
        ),
    ),
    "torch": (
        Row(
            "kaiming-uniform",
            "`torch.nn.init.kaiming_uniform_(w, a, mode, nonlinearity)`",
            "`vsinit.compat.torch.kaiming_uniform_(w, a, mode, nonlinearity)`",
            "`U(±gain·sqrt(3/fan))`, `gain = calculate_gain(nonlinearity, a)`",
            _TORCH_SHAPES + "; zero elements: warning, no-op",
        ),
        Row(
            "kaiming-normal",
            "`torch.nn.init.kaiming_normal_(w, a, mode, nonlinearity)`",
            "`vsinit.compat.torch.kaiming_normal_(w, a, mode, nonlinearity)`",
            "`N(0, gain²/fan)`, untruncated",
            _TORCH_SHAPES + "; zero elements: warning, no-op",
        ),
        Row(
            "xavier-uniform",
            "`torch.nn.init.xavier_uniform_(w, gain)`",
            "`vsinit.compat.torch.xavier_uniform_(w, gain)`",
            "`U(±gain·sqrt(6/(fan_in + fan_out)))`",
            _TORCH_SHAPES + "; fan_in + fan_out = 0: `ValueError`",
        ),
        Row(
            "xavier-normal",
            "`torch.nn.init.xavier_normal_(w, gain)`",
            "`vsinit.compat.torch.xavier_normal_(w, gain)`",
            "`N(0, gain²·2/(fan_in + fan_out))`, untruncated",
            _TORCH_SHAPES + "; fan_in + fan_out = 0: `ValueError`",
        ),
        Row(
            "trunc-normal",
            "`torch.nn.init.trunc_normal_(w, mean, std, a, b)`",
            "`vsinit.compat.torch.trunc_normal_(w, mean, std, a, b)`",
            "`N(mean, std²)` truncated to the absolute `[a, b]`, exact in every dtype",
            "any shape",
        ),
        Row(
            "torch-core",
            "`torch.nn.init.kaiming_normal_` with a truncated normal (not in PyTorch)",
            "`vsinit.he_normal(in_axis=1, out_axis=0).fill_(w)`",
            "`TN · sqrt(2/fan_in) / c`",
            "`(out, in, *kernel)` via `in_axis=1, out_axis=0`",
        ),
    ),
}

_HEADER = ("You wrote", "Write", "Samples", "Fans and shapes")


def markdown(anchor: str) -> str:
    """The table of ``PROFILES[anchor]`` as Markdown (one row per entry point).

    Examples
    --------
    >>> print(markdown("jax").splitlines()[0])
    | You wrote | Write | Samples | Fans and shapes |
    """
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + " --- |" * len(_HEADER)]
    lines += [f"| {r.anchor} | {r.vsinit} | {r.law} | {r.shapes} |" for r in PROFILES[anchor]]
    return "\n".join(lines) + "\n"
