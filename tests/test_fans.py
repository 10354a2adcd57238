"""Fans for TensorFlow's and PyTorch's layouts, and JAX's axis generalization."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vsinit


def reference_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    """An independent statement of the rules, for comparison."""
    if (in_axis, out_axis, batch_axis) == (-2, -1, ()) and len(shape) < 2:
        return (1, 1) if not shape else (shape[0], shape[0])
    as_tuple = lambda a: (a,) if isinstance(a, int) else tuple(a)  # noqa: E731
    ins = {a % len(shape) for a in as_tuple(in_axis)}
    outs = {a % len(shape) for a in as_tuple(out_axis)}
    batch = {a % len(shape) for a in as_tuple(batch_axis)}
    rf = math.prod(d for i, d in enumerate(shape) if i not in ins | outs | batch)
    return (
        math.prod(shape[i] for i in ins) * rf,
        math.prod(shape[i] for i in outs) * rf,
    )


class TestTensorFlowLayout:
    @pytest.mark.parametrize(
        ("shape", "expected"),
        [
            ((), (1, 1)),
            ((7,), (7, 7)),
            ((3, 4), (3, 4)),
            ((5, 3, 4), (15, 20)),
            ((3, 3, 64, 128), (576, 1152)),
            ((2, 2, 2, 3, 4), (24, 32)),
            ((1, 2, 3, 4, 5, 6), (120, 144)),
            ((0, 5), (0, 5)),
            ((3, 0, 4), (0, 12)),
        ],
        ids=str,
    )
    def test_matches_tensorflow_compute_fans(self, shape, expected):
        assert vsinit.compute_fans(shape) == expected
        assert reference_fans(shape) == expected

    def test_fans_are_python_ints(self):
        fan_in, fan_out = vsinit.compute_fans((np.int64(3), 3, 8, 16))
        assert type(fan_in) is int and type(fan_out) is int


class TestPyTorchLayout:
    @pytest.mark.parametrize(
        ("shape", "expected"),
        [((128, 64), (64, 128)), ((128, 64, 3, 3), (576, 1152)), ((16, 8, 3), (24, 48))],
        ids=str,
    )
    def test_out_in_kernel(self, shape, expected):
        assert vsinit.compute_fans(shape, in_axis=1, out_axis=0) == expected

    def test_same_kernel_in_both_layouts_has_the_same_fans(self):
        tf = vsinit.compute_fans((3, 3, 64, 128))
        torch_layout = vsinit.compute_fans((128, 64, 3, 3), in_axis=1, out_axis=0)
        assert tf == torch_layout


class TestAxes:
    @pytest.mark.parametrize(
        ("shape", "kwargs"),
        [
            ((10, 3, 4), {"batch_axis": 0}),
            ((2, 3, 4, 5), {"in_axis": (0, 1), "out_axis": 3}),
            ((2, 3, 4, 5), {"in_axis": -1, "out_axis": (0, -2)}),
            ((6, 2, 3, 4), {"in_axis": 2, "out_axis": 3, "batch_axis": (0,)}),
            ((5,), {"in_axis": 0, "out_axis": ()}),
        ],
        ids=str,
    )
    def test_generalized_axes_match_reference(self, shape, kwargs):
        assert vsinit.compute_fans(shape, **kwargs) == reference_fans(shape, **kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"in_axis": 4}, "`in_axis` contains axis 4"),
            ({"out_axis": -5}, "`out_axis` contains axis -5"),
            ({"in_axis": 1, "out_axis": 1}, "`in_axis` and `out_axis` must not share"),
            ({"batch_axis": (0, 0)}, "`batch_axis` lists the same axis"),
            ({"in_axis": 0, "batch_axis": 0}, "`in_axis` and `batch_axis`"),
        ],
        ids=str,
    )
    def test_bad_axes_raise_value_error_naming_the_argument(self, kwargs, fragment):
        with pytest.raises(ValueError, match=fragment):
            vsinit.compute_fans((2, 3, 4, 5), **kwargs)

    @pytest.mark.parametrize("bad", [1.0, "0", True, [0.5], None], ids=repr)
    def test_axes_of_the_wrong_type_raise_type_error(self, bad):
        with pytest.raises(TypeError, match="`in_axis`"):
            vsinit.compute_fans((2, 3), in_axis=bad)

    @pytest.mark.parametrize(
        ("shape", "kwargs", "expected"),
        [
            ((3, 3, 16, 32), {}, (16, 32)),
            ((64, 8, 16), {"in_axis": 0, "out_axis": (1, 2)}, (64, 128)),
            ((10, 3, 4), {"batch_axis": 0}, (3, 4)),
        ],
        ids=str,
    )
    def test_without_receptive_field_only_in_and_out_axes_count(self, shape, kwargs, expected):
        assert vsinit.compute_fans(shape, receptive_field=False, **kwargs) == expected

    def test_without_receptive_field_the_rank_rules_do_not_apply(self):
        with pytest.raises(ValueError, match="`in_axis` contains axis -2"):
            vsinit.compute_fans((5,), receptive_field=False)

    @pytest.mark.parametrize("bad", [0, 1, "no", None], ids=repr)
    def test_receptive_field_must_be_a_bool(self, bad):
        with pytest.raises(TypeError, match="`receptive_field`"):
            vsinit.compute_fans((2, 3), receptive_field=bad)
        with pytest.raises(TypeError, match="`receptive_field`"):
            vsinit.VarianceScaling(receptive_field=bad)

    def test_rank_one_with_pytorch_layout_is_out_of_range(self):
        with pytest.raises(ValueError, match="`in_axis` contains axis 1"):
            vsinit.compute_fans((5,), in_axis=1, out_axis=0)


class TestShapes:
    @pytest.mark.parametrize("bad", [3, "33", None, (3.0, 2), (True, 2), np.zeros(2)], ids=repr)
    def test_non_sequences_of_ints_raise_type_error(self, bad):
        with pytest.raises(TypeError, match="`shape`"):
            vsinit.compute_fans(bad)

    def test_negative_dimension_raises_value_error(self):
        with pytest.raises(ValueError, match="negative"):
            vsinit.compute_fans((3, -1))

    def test_impossible_element_count_raises_value_error(self):
        with pytest.raises(ValueError, match="more than any array can hold"):
            vsinit.compute_fans((2**40, 2**40))
