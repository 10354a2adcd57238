"""vsinit.models on a plain mapping: rules, defaults, stream names, the report, bad input.

Framework models (PyTorch, Flax, Equinox, Keras) are tested in ``tests/models/``.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import vsinit
from vsinit.models import DEFAULT_RULES, init_model, plan_model
from vsinit.rng import Philox, derive_seed


def assert_within_ulps(got, ref, ulps):
    ref = ref.astype(np.float64)
    spacing = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert (np.abs(got.astype(np.float64) - ref) / spacing).max() <= ulps


SHAPES = {
    "fc1/kernel": (16, 32),
    "fc1/bias": (32,),
    "norm/scale": (32,),
    "embed/embedding": (100, 32),
    "fc2/kernel": (32, 8),
}


class TestPlainMapping:
    def test_shapes_give_new_arrays_of_those_shapes(self):
        out = init_model(SHAPES, seed=0)
        assert list(out) == list(SHAPES)
        assert {k: v.shape for k, v in out.items()} == SHAPES
        assert all(str(v.dtype) == "float32" for v in out.values())

    def test_each_parameter_draws_from_its_own_named_stream(self):
        out = init_model(SHAPES, seed=7)
        expected = vsinit.glorot_uniform()((16, 32), rng=Philox(derive_seed(7, "fc1/kernel")))
        np.testing.assert_array_equal(out["fc1/kernel"], expected)

    def test_defaults_by_role(self):
        out = init_model(SHAPES, seed=0)
        assert not out["fc1/bias"].any()
        assert (out["norm/scale"] == 1).all()
        bound = np.sqrt(6 / (16 + 32))
        assert np.abs(out["fc1/kernel"]).max() <= bound
        # embedding: normal of variance 1/dim; 3200 samples, std's standard error ~1.25 %
        assert abs(out["embed/embedding"].std() * np.sqrt(32) - 1) < 5 * 0.0125

    def test_adding_or_renaming_a_parameter_changes_no_other(self):
        base = init_model(SHAPES, seed=3)
        more = init_model({"extra/kernel": (4, 4), **SHAPES, "fc1/kernel": (16, 32)}, seed=3)
        renamed = init_model(
            {("head/kernel" if k == "fc2/kernel" else k): v for k, v in SHAPES.items()}, seed=3
        )
        for name in SHAPES:
            np.testing.assert_array_equal(base[name], more[name])
            if name != "fc2/kernel":
                np.testing.assert_array_equal(base[name], renamed[name])

    def test_reshaping_a_parameter_changes_no_other(self):
        base = init_model(SHAPES, seed=3)
        wider = init_model({**SHAPES, "fc1/kernel": (16, 64), "fc1/bias": (64,)}, seed=3)
        np.testing.assert_array_equal(base["fc2/kernel"], wider["fc2/kernel"])

    def test_arrays_are_filled_in_place(self):
        arrays = {"w/kernel": np.zeros((8, 4), np.float32), "w/bias": np.ones(4, np.float32)}
        out = init_model(arrays, seed=1)
        assert out["w/kernel"] is arrays["w/kernel"] and arrays["w/kernel"].any()
        assert not arrays["w/bias"].any()

    def test_out_in_layout_is_the_transpose_of_in_out(self):
        a = init_model({"fc/weight": (8, 4)}, seed=2, layout="out_in")["fc/weight"]
        b = init_model({"fc/weight": (4, 8)}, seed=2)["fc/weight"]
        np.testing.assert_array_equal(a, b.T)

    def test_another_namespace(self, xp, as_numpy):
        out = init_model(SHAPES, seed=0, xp=xp)
        reference = init_model(SHAPES, seed=0)
        for name in SHAPES:
            got = as_numpy(out[name])
            if name == "embed/embedding":  # a normal: a few ulp, as in test_cross_backend
                assert_within_ulps(got, reference[name], 8)
            else:  # uniforms and constants: bit for bit
                np.testing.assert_array_equal(got, reference[name])


class TestRules:
    def test_glob_regex_type_and_callable_patterns(self):
        rules = [
            ("fc1/*", vsinit.he_normal()),
            (re.compile(r"fc2/k.*"), 0.5),
            (lambda p: p.role == "embedding", None),
        ]
        report = plan_model(SHAPES, seed=0, rules=rules)
        assert [e.rule for e in report] == [
            "fc1/*",
            "fc1/*",
            "default: scale",
            "callable:<lambda>",
            "re:fc2/k.*",
        ]

    def test_first_matching_rule_wins_and_precedes_the_defaults(self):
        out = init_model(SHAPES, seed=0, rules={"*/bias": 0.25, "fc1/*": 0.0})
        assert (out["fc1/bias"] == 0.25).all()

    def test_none_leaves_the_parameter_as_it_is(self):
        arrays = {"w/kernel": np.full((3, 3), 9.0, np.float32)}
        init_model(arrays, seed=0, rules={"w/*": None})
        assert (arrays["w/kernel"] == 9.0).all()

    def test_unmatched_is_an_error_naming_them_and_nothing_is_written(self):
        arrays = {"w/kernel": np.zeros((3, 3), np.float32), "alpha": np.zeros(1, np.float32)}
        with pytest.raises(
            ValueError, match=r"no rule matches 1 parameter\(s\): 'alpha'.*unmatched='skip'"
        ):
            init_model(arrays, seed=0)
        assert not arrays["w/kernel"].any()

    def test_unmatched_skip_leaves_them(self):
        arrays = {"w/kernel": np.zeros((3, 3), np.float32), "alpha": np.full(1, 5.0, np.float32)}
        report = plan_model(arrays, seed=0, unmatched="skip")
        init_model(arrays, seed=0, unmatched="skip")
        assert arrays["alpha"][0] == 5.0 and arrays["w/kernel"].any()
        assert report[1].rule == "(untouched)"

    def test_without_defaults_only_the_callers_rules_apply(self):
        with pytest.raises(ValueError, match="no rule matches 4 parameter"):
            plan_model(SHAPES, seed=0, rules={"fc1/kernel": vsinit.he_uniform()}, defaults=False)

    def test_defaults_are_listed(self):
        assert [role for _, role, _ in DEFAULT_RULES] == ["kernel", "bias", "embedding", "scale"]

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"rules": "fc1/*"}, TypeError, "`rules` must be a mapping or a list"),
            (
                {"rules": [("fc1/*",)]},
                TypeError,
                r"`rules\[0\]` must be a \(pattern, action\) pair",
            ),
            ({"rules": [(3, 0.0)]}, TypeError, r"`rules\[0\]`'s pattern must be"),
            ({"rules": {"fc1/*": "he_normal"}}, TypeError, r"`rules\[0\]`'s action must be"),
            ({"unmatched": "ignore"}, ValueError, "`unmatched` must be 'error' or 'skip'"),
            ({"names": 3}, TypeError, "`names` must be None, 'position'"),
            ({"names": lambda n: 1}, TypeError, r"`names\('fc1/kernel'\)` must return a string"),
            ({"tier": "fast"}, ValueError, "`tier` must be one of"),
            ({"tier": "native"}, ValueError, "PyTorch modules only"),
            ({"layout": "oi"}, ValueError, "`layout` must be one of"),
            ({"seed": -1}, ValueError, "`seed` must satisfy"),
        ],
        ids=lambda v: v if isinstance(v, str) else None,
    )
    def test_bad_arguments(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            init_model(SHAPES, **{"seed": 0, **kwargs})

    @pytest.mark.parametrize(
        ("model", "match"),
        [
            (42, "`model` must be a torch.nn.Module"),
            ({"w": "abc"}, r"`mapping\['w'\]` must be a shape or an array"),
            ({1: (3, 3)}, "keys must be parameter names"),
        ],
        ids=["int", "string-value", "int-key"],
    )
    def test_bad_models(self, model, match):
        with pytest.raises(TypeError, match=match):
            init_model(model, seed=0)


class TestNames:
    def test_position_names_count_layers_in_order(self):
        report = plan_model(SHAPES, seed=0, names="position")
        assert [e.stream for e in report] == [
            "0.kernel",
            "0.bias",
            "1.scale",
            "2.embedding",
            "3.kernel",
        ]

    def test_mapping_and_callable_names(self):
        report = plan_model(SHAPES, seed=0, names={"fc1/kernel": "a"})
        assert report[0].stream == "a" and report[1].stream == "fc1/bias"
        report = plan_model(SHAPES, seed=0, names=str.upper)
        assert report[0].seed == derive_seed(0, "FC1/KERNEL")


class TestReport:
    def test_rows_and_numbers(self):
        report = plan_model(SHAPES, seed=0)
        row = report[0].as_dict()
        assert row["name"] == "fc1/kernel" and row["shape"] == (16, 32)
        assert (row["fan_in"], row["fan_out"], row["n"]) == (16, 32, 24.0)
        assert row["std"] == pytest.approx(np.sqrt(1 / 24)) and row["bound"] == pytest.approx(
            np.sqrt(6 / 48)
        )
        assert row["seed"] == derive_seed(0, "fc1/kernel")
        json.dumps(report.as_dicts())  # plain data

    def test_table(self):
        text = str(plan_model(SHAPES, seed=0))
        lines = text.splitlines()
        assert lines[0].split() == [
            "name",
            "shape",
            "rule",
            "fan_in",
            "fan_out",
            "n",
            "std",
            "bound",
        ]
        assert lines[-1] == "5 parameters, 4,032 values initialized"
        assert len(plan_model(SHAPES, seed=0)) == 5 and "Report of 5" in repr(
            plan_model(SHAPES, seed=0)
        )
