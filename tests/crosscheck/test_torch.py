"""PyTorch's torch.nn.init against vsinit.compat.torch: laws, values, messages, warnings,
and trunc_normal_'s deviations."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import vsinit
from vsinit.compat import torch as vtorch

torch = pytest.importorskip("torch")
init = torch.nn.init

from laws import TORCH_SHAPES, assert_law, assert_same_law, draw, flat  # noqa: E402

KAIMING = [
    ("fan_in", "leaky_relu", 0),
    ("fan_out", "relu", None),
    ("fan_in", "leaky_relu", math.sqrt(5)),  # nn.Linear / nn.Conv2d's reset_parameters
    ("FAN_OUT", "tanh", None),
    ("fan_in", "selu", None),
]


def torch_draw(fill, shape, dtype=torch.float64):
    return draw(
        lambda i: fill(torch.empty(shape, dtype=dtype), generator=torch.Generator().manual_seed(i))
    )


def vsinit_draw(fill, shape, dtype=torch.float64):
    rng = vsinit.rng.Philox(3)
    return draw(lambda _: fill(torch.empty(shape, dtype=dtype), generator=rng))


@pytest.mark.parametrize(("mode", "nonlinearity", "a"), KAIMING, ids=str)
@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("shape", TORCH_SHAPES, ids=str)
def test_kaiming(shape, name, mode, nonlinearity, a):
    kwargs = {"mode": mode, "nonlinearity": nonlinearity, "a": 0 if a is None else a}
    theirs = torch_draw(lambda w, **g: getattr(init, name)(w, **kwargs, **g), shape)
    ours = vsinit_draw(lambda w, **g: getattr(vtorch, name)(w, **kwargs, **g), shape)
    assert_same_law(ours, theirs, f"{name} {shape} {kwargs}")


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_"])
@pytest.mark.parametrize("shape", TORCH_SHAPES, ids=str)
def test_xavier(shape, name, gain):
    theirs = torch_draw(lambda w, **g: getattr(init, name)(w, gain, **g), shape)
    ours = vsinit_draw(lambda w, **g: getattr(vtorch, name)(w, gain, **g), shape)
    assert_same_law(ours, theirs, f"{name} {shape} gain={gain}")


@pytest.mark.parametrize(
    "name", ["kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_"]
)
def test_same_generator_gives_pytorchs_values(name):
    """A torch.Generator makes vsinit draw with PyTorch's own sampler: the same values, to
    rounding of the scale."""
    shape = (64, 32, 3, 3)
    theirs = getattr(init, name)(torch.empty(shape), generator=torch.Generator().manual_seed(9))
    ours = getattr(vtorch, name)(torch.empty(shape), generator=torch.Generator().manual_seed(9))
    torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=0)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("kaiming_uniform_", {"mode": "fan_avg"}),
        ("kaiming_normal_", {"nonlinearity": "gelu"}),
        ("kaiming_uniform_", {"a": "x"}),
        ("xavier_uniform_", {"shape": (5,)}),
        ("kaiming_normal_", {"shape": ()}),
    ],
    ids=str,
)
def test_same_error_messages(call, args):
    args = dict(args)
    shape = args.pop("shape", (4, 3))
    with pytest.raises(ValueError) as theirs:
        getattr(init, call)(torch.empty(shape), **args)
    with pytest.raises(ValueError) as ours:
        getattr(vtorch, call)(torch.empty(shape), **args)
    assert str(ours.value).startswith(str(theirs.value))


def test_same_zero_element_warning():
    for fill in (init.kaiming_uniform_, vtorch.kaiming_uniform_):
        with pytest.warns(UserWarning, match="^Initializing zero-element tensors is a no-op$"):
            fill(torch.empty(0, 3))


def test_same_mean_far_from_interval_warning():
    messages = []
    for fill in (init.trunc_normal_, vtorch.trunc_normal_):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fill(torch.empty(100), 0.0, 1.0, 3.0, 4.0)
        messages.append(str(caught[0].message))
    assert messages[1].startswith(messages[0])


TRUNC = [
    (0.0, 1.0, -2.0, 2.0),  # the default: the core's truncated normal
    (0.0, 0.02, -2.0, 2.0),  # timm/ViT: bounds at ±100σ
    (0.0, 0.02, -0.04, 0.04),  # relative ±2σ: the core again
    (0.5, 0.3, 0.0, 1.0),
    (1.0, 2.0, -1.0, 0.5),
    (0.0, 1.0, -0.3, 0.1),  # narrow: PyTorch's uniform-proposal path
]


@pytest.mark.parametrize(("mean", "std", "a", "b"), TRUNC, ids=str)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_trunc_normal_law(mean, std, a, b, dtype):
    def theirs(w, generator):
        return init.trunc_normal_(w, mean, std, a, b, generator=generator)

    def ours(w, generator):
        return vtorch.trunc_normal_(w, mean, std, a, b, generator=generator)

    shape = (200, 100)
    t, o = torch_draw(theirs, shape, dtype), vsinit_draw(ours, shape, dtype)
    assert_same_law(o, t, f"trunc_normal_ {mean, std, a, b}")
    law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert_law(o, law.cdf, "vsinit vs scipy")
    assert a <= o.min() and o.max() <= b


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_trunc_normal_low_precision(dtype):
    """PyTorch ≤ 2.11 sampled by inverse CDF in the tensor's dtype and piled values up at
    the bounds (pytorch#145498, #155588). 2.12 switched to rejection sampling; record which
    behaviour this PyTorch has, and that vsinit is right either way."""
    shape = (500, 400)
    w = init.trunc_normal_(
        torch.empty(shape, dtype=dtype), std=0.02, generator=torch.Generator().manual_seed(0)
    )
    piles_up = bool((w.float().abs() >= 1.99).any())
    version = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])
    assert piles_up == (version < (2, 12))
    ours = vtorch.trunc_normal_(torch.empty(shape, dtype=dtype), std=0.02, generator=0)
    assert float(ours.float().abs().max()) < 0.2
    assert_law(ours.float(), stats.norm(scale=0.02).cdf, f"vsinit {dtype}")


def test_trunc_normal_tail_accepts_any_proposal_when_the_uniform_is_zero():
    """Anchor deviation (PyTorch 2.12–2.13, code reading and this run): for intervals of
    mass ≤ 0.3, uniform proposals on [a, b] are accepted when ``log(U) <= log_pdf``; a
    float32 ``U`` of exactly 0 gives ``-inf`` and accepts *any* proposal. With [3, 1503] and
    10,000 values, seed 0 keeps 4 values above 10 (probability ~1e-20 each). vsinit samples
    the tail by inverse CDF."""
    a, b = 3.0, 1503.0
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # ~46,000 small iterations: threads only add overhead
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generator = torch.Generator().manual_seed(0)
            theirs = init.trunc_normal_(torch.empty(10_000), 0.0, 1.0, a, b, generator=generator)
            ours = vtorch.trunc_normal_(torch.empty(10_000), 0.0, 1.0, a, b, generator=0)
    finally:
        torch.set_num_threads(threads)
    if torch.__version__.startswith(("2.12", "2.13")):
        assert int((theirs > 10).sum()) > 0
    assert int((ours > 10).sum()) == 0
    assert_law(ours, stats.truncnorm(a, b).cdf, "vsinit tail")


def test_trunc_normal_infinite_bound_in_the_tail():
    """Anchor deviation (PyTorch 2.12–2.13): ``uniform_(a, inf)`` fails for an infinite bound
    with mass ≤ 0.3. vsinit accepts infinite bounds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if torch.__version__.startswith(("2.12", "2.13")):
            with pytest.raises(RuntimeError):
                init.trunc_normal_(torch.empty(100), 0.0, 1.0, 3.0, math.inf)
        ours = vtorch.trunc_normal_(
            torch.empty(20_000, dtype=torch.float64), 0.0, 1.0, 3.0, math.inf, generator=1
        )
    assert_law(ours, stats.truncnorm(3.0, math.inf).cdf, "vsinit [3, inf)")


def test_in_place_on_module_parameters():
    conv = torch.nn.Conv2d(32, 64, 3)
    for fill in (vtorch.kaiming_uniform_, vtorch.xavier_normal_, vtorch.trunc_normal_):
        assert fill(conv.weight) is conv.weight
    assert conv.weight.requires_grad and conv.weight.grad_fn is None
    assert np.isfinite(flat(conv.weight)).all()
