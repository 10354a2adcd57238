"""Config interchange: from_config reads vsinit's, TF1's, TF2's, tf.keras' and Keras 3's forms.

The configurations below are what the anchors' ``get_config`` and
``keras.initializers.serialize`` produce (copied from TensorFlow 2.21 and Keras 3.15; the
crosscheck suite reads them from the real libraries).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import vsinit
from vsinit.compat import keras as vkeras
from vsinit.compat import tf1

VS = vsinit.VarianceScaling

#: Keras 3's serialized form of a preset.
KERAS3_HE_NORMAL = {
    "module": "keras.initializers",
    "class_name": "HeNormal",
    "config": {"seed": 1, "input_axes": None, "output_axes": None},
    "registered_name": None,
}


def expected(scale, mode, distribution, seed=None, dtype="float32"):
    return VS(scale, mode, distribution, seed, dtype).get_config()


class TestBareConfigs:
    def test_vsinit_config_round_trips(self):
        init = vsinit.he_uniform(seed=4, in_axis=1, out_axis=0)
        assert VS.from_config(json.loads(json.dumps(init.get_config()))) == init

    def test_tf1_config_with_dtype_name(self):
        config = {
            "scale": 2.0,
            "mode": "fan_avg",
            "distribution": "normal",
            "seed": 3,
            "dtype": "float64",
        }
        got = VS.from_config(config).get_config()
        assert got == expected(2.0, "fan_avg", "truncated_normal", 3, "float64")

    def test_tf2_config_without_dtype(self):
        config = {
            "scale": 0.5,
            "mode": "fan_out",
            "distribution": "untruncated_normal",
            "seed": None,
        }
        assert VS.from_config(config).get_config() == expected(0.5, "fan_out", "untruncated_normal")

    def test_keras3_config_without_axes(self):
        config = {
            "seed": 7,
            "scale": 1.0,
            "mode": "fan_in",
            "distribution": "uniform",
            "input_axes": None,
            "output_axes": None,
        }
        assert VS.from_config(config).get_config() == expected(1.0, "fan_in", "uniform", 7)

    def test_same_values_as_the_equivalent_core_initializer(self):
        init = VS.from_config({"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": 9})
        assert np.array_equal(init((16, 8)), vsinit.he_normal(seed=9)((16, 8)))


class TestSerializedForms:
    @pytest.mark.parametrize(
        ("class_name", "preset"),
        [
            ("HeNormal", (2.0, "fan_in", "truncated_normal")),
            ("he_normal", (2.0, "fan_in", "truncated_normal")),
            ("HeUniform", (2.0, "fan_in", "uniform")),
            ("GlorotUniform", (1.0, "fan_avg", "uniform")),
            ("glorot_normal", (1.0, "fan_avg", "truncated_normal")),
            ("LecunNormal", (1.0, "fan_in", "truncated_normal")),
            ("lecun_uniform", (1.0, "fan_in", "uniform")),
        ],
    )
    def test_presets_map_to_their_scale_mode_and_distribution(self, class_name, preset):
        config = {"class_name": class_name, "config": {"seed": 5}}
        assert VS.from_config(config).get_config() == expected(*preset, seed=5)

    def test_keras3_envelope(self):
        assert VS.from_config(KERAS3_HE_NORMAL).get_config() == expected(
            2.0, "fan_in", "truncated_normal", 1
        )

    @pytest.mark.parametrize("name", ["VarianceScaling", "variance_scaling"])
    def test_variance_scaling_class(self, name):
        config = {
            "class_name": name,
            "config": {"scale": 3.0, "mode": "fan_out", "distribution": "uniform", "seed": 2},
        }
        assert VS.from_config(config).get_config() == expected(3.0, "fan_out", "uniform", 2)

    def test_tf1_glorot_config_with_dtype(self):
        config = {"class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float16"}}
        assert VS.from_config(config).dtype == "float16"

    def test_empty_inner_config_is_the_default_preset(self):
        assert VS.from_config({"class_name": "glorot_uniform"}).get_config() == expected(
            1.0, "fan_avg", "uniform"
        )


class TestRejections:
    @pytest.mark.parametrize("name", ["RandomNormal", "Orthogonal", "normal", "os.system", ""])
    def test_unknown_class_names(self, name):
        with pytest.raises(ValueError, match="`class_name`"):
            VS.from_config({"class_name": name, "config": {}})

    def test_class_name_must_be_a_string(self):
        with pytest.raises(TypeError, match="`class_name`"):
            VS.from_config({"class_name": 3, "config": {}})

    def test_unknown_module(self):
        with pytest.raises(ValueError, match="`module`"):
            VS.from_config({**KERAS3_HE_NORMAL, "module": "my_package.initializers"})

    def test_custom_registered_name(self):
        with pytest.raises(ValueError, match="`registered_name`"):
            VS.from_config({**KERAS3_HE_NORMAL, "registered_name": "MyPackage>HeNormal"})

    def test_unknown_envelope_keys(self):
        with pytest.raises(ValueError, match=r"unknown keys \['extra'\]"):
            VS.from_config({**KERAS3_HE_NORMAL, "extra": 1})

    def test_unknown_preset_keys(self):
        with pytest.raises(ValueError, match=r"unknown keys \['scale'\]"):
            VS.from_config({"class_name": "HeNormal", "config": {"scale": 3.0}})

    def test_unknown_keys_are_named(self):
        with pytest.raises(ValueError, match=r"unknown keys \['bias', 'name'\]"):
            VS.from_config({"scale": 1.0, "name": "w", "bias": 0})

    def test_inner_config_must_be_a_mapping(self):
        with pytest.raises(TypeError, match="config"):
            VS.from_config({"class_name": "HeNormal", "config": [("seed", 1)]})

    def test_keys_must_be_strings(self):
        with pytest.raises(TypeError, match="string keys"):
            VS.from_config({1: 2})

    @pytest.mark.parametrize(
        ("key", "value"), [("scale", "2"), ("mode", None), ("seed", 1.5), ("dtype", 3)]
    )
    def test_wrong_types(self, key, value):
        with pytest.raises(TypeError, match=f"`{key}`"):
            VS.from_config({key: value})

    def test_serialized_seed_generator(self):
        seed = {
            "module": "keras.random",
            "class_name": "SeedGenerator",
            "config": {"seed": 5, "name": "seed_generator"},
            "registered_name": None,
        }
        with pytest.raises(ValueError, match="SeedGenerator"):
            VS.from_config({"scale": 1.0, "seed": seed})

    def test_a_lone_keras_axis_is_rejected(self):
        with pytest.raises(ValueError, match="only \\['input_axes'\\]"):
            VS.from_config({"scale": 1.0, "input_axes": [0], "output_axes": None})

    def test_keras_and_vsinit_axes_do_not_mix(self):
        with pytest.raises(ValueError, match="mixes"):
            VS.from_config({"in_axis": 0, "input_axes": [0], "output_axes": [1]})


class TestProfileClasses:
    def test_tf1_reads_its_own_and_tf2_configs(self):
        config = tf1.VarianceScaling(2.0, "fan_avg", "normal", 3, "float64").get_config()
        assert tf1.VarianceScaling.from_config(config).get_config() == config
        tf2 = {"scale": 2.0, "mode": "fan_avg", "distribution": "normal", "seed": 3}
        assert tf1.VarianceScaling.from_config(tf2).get_config()["dtype"] == "float32"

    def test_tf1_legacy_option_round_trips(self):
        init = tf1.VarianceScaling(2.0, truncation_correction=False, seed=1)
        assert tf1.VarianceScaling.from_config(init.get_config()) == init

    @pytest.mark.parametrize("shape", [(64, 8, 16), (5, 3, 7, 2)], ids=str)
    def test_keras_axes_map_to_the_core_without_receptive_field(self, shape):
        config = {"scale": 1.0, "seed": 2, "input_axes": [0], "output_axes": [1, 2]}
        init = VS.from_config(config)
        assert (init.in_axis, init.out_axis, init.receptive_field) == ((0,), (1, 2), False)
        assert init.scaling(shape) == vkeras.VarianceScaling.from_config(config).scaling(shape)

    def test_keras_profile_keeps_the_axes(self):
        config = {"scale": 1.0, "seed": 2, "input_axes": [0], "output_axes": [1, 2]}
        init = vkeras.VarianceScaling.from_config(config)
        assert init.scaling((64, 8, 16)).n == 64.0

    def test_keras_profile_rejects_dtype(self):
        with pytest.raises(ValueError, match=r"unknown keys \['dtype'\]"):
            vkeras.VarianceScaling.from_config({"scale": 1.0, "dtype": "float32"})

    def test_keras_preset_from_its_config(self):
        init = vkeras.HeNormal.from_config(KERAS3_HE_NORMAL["config"])
        # once Keras is imported, the instance is of HeNormal's Keras twin (a subclass)
        assert isinstance(init, vkeras.HeNormal) and type(init).__name__ == "HeNormal"
        assert init.get_config() == KERAS3_HE_NORMAL["config"]
