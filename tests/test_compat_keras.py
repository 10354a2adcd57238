"""vsinit.compat.keras: Keras 3's VarianceScaling, input/output axes, seeds, presets, configs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import vsinit
from vsinit.compat import keras as vkeras
from vsinit.compat._keras_initializer import _public as public_type  # Keras twins -> class

PRESETS = {
    vkeras.GlorotUniform: vsinit.glorot_uniform,
    vkeras.GlorotNormal: vsinit.glorot_normal,
    vkeras.LecunUniform: vsinit.lecun_uniform,
    vkeras.LecunNormal: vsinit.lecun_normal,
    vkeras.HeUniform: vsinit.he_uniform,
    vkeras.HeNormal: vsinit.he_normal,
}


class TestConstruction:
    def test_config_is_keras3s(self):
        init = vkeras.VarianceScaling(2.0, "fan_avg", "normal", seed=3)
        assert init.get_config() == {
            "seed": 3,
            "scale": 2.0,
            "mode": "fan_avg",
            "distribution": "truncated_normal",
            "input_axes": None,
            "output_axes": None,
        }

    @pytest.mark.parametrize(
        ("kwargs", "error", "fragment"),
        [
            ({"scale": 0}, ValueError, "`scale`"),
            ({"mode": "fan_geo_avg"}, ValueError, "`mode`"),
            ({"distribution": "gaussian"}, ValueError, "`distribution`"),
            ({"seed": 1.5}, ValueError, "`seed`"),
            ({"seed": "3"}, ValueError, "`seed`"),
            ({"seed": {"class_name": "SeedGenerator"}}, ValueError, "SeedGenerator"),
            ({"input_axes": [0]}, ValueError, "together"),
            ({"output_axes": [1]}, ValueError, "together"),
            ({"input_axes": "0", "output_axes": [1]}, TypeError, "`input_axes`"),
            ({"input_axes": [0.0], "output_axes": [1]}, TypeError, "`input_axes`"),
        ],
    )
    def test_argument_errors(self, kwargs, error, fragment):
        with pytest.raises(error, match=fragment):
            vkeras.VarianceScaling(**kwargs)


class TestSeeds:
    def test_unseeded_instance_repeats_its_values_as_in_keras3(self):
        init = vkeras.VarianceScaling()
        assert np.array_equal(init((6, 7)), init((6, 7)))
        assert init.get_config()["seed"] is None

    def test_two_unseeded_instances_differ(self):
        assert not np.array_equal(
            vkeras.VarianceScaling()((6, 7)), vkeras.VarianceScaling()((6, 7))
        )

    def test_int_seed_equals_the_core(self):
        init = vkeras.VarianceScaling(2.0, "fan_in", "truncated_normal", seed=11)
        assert np.array_equal(init((6, 7)), vsinit.he_normal(seed=11)((6, 7)))

    def test_philox_rng_advances_like_a_seed_generator(self):
        rng = vsinit.rng.Philox(5)
        init = vkeras.HeUniform(seed=1)
        assert not np.array_equal(init((4, 4), rng=rng), init((4, 4), rng=rng))


class TestAxes:
    def test_fans_are_products_of_the_given_axes_without_receptive_field(self):
        init = vkeras.VarianceScaling(1.0, "fan_avg", input_axes=[0, 1], output_axes=[-1])
        s = init.scaling((4, 8, 3, 16))  # axis 2 is ignored
        assert s.n == (4 * 8 + 16) / 2

    def test_equals_the_core_with_the_other_axes_as_batch_axes(self):
        init = vkeras.VarianceScaling(2.0, "fan_out", "uniform", 3, [1], [2])
        core = vsinit.VarianceScaling(
            2.0, "fan_out", "uniform", 3, in_axis=1, out_axis=2, batch_axis=0
        )
        assert np.array_equal(init((5, 6, 7)), core((5, 6, 7)))

    def test_one_instance_serves_every_rank(self):
        init = vkeras.VarianceScaling(input_axes=[0], output_axes=[1])
        assert [init.scaling(s).n for s in [(3, 4), (3, 4, 5), (3, 4, 5, 6)]] == [3.0] * 3

    def test_axis_out_of_range(self):
        with pytest.raises(ValueError, match="`output_axes`"):
            vkeras.VarianceScaling(input_axes=[0], output_axes=[3])((2, 3))

    def test_overlapping_axes_are_rejected(self):
        with pytest.raises(ValueError, match="share axes"):
            vkeras.VarianceScaling(input_axes=[0], output_axes=[0])((2, 3))

    def test_without_axes_fans_are_tensorflows(self):
        assert vkeras.VarianceScaling().scaling((3, 3, 64, 32)).n == 576.0


class TestPresets:
    @pytest.mark.parametrize("cls", list(PRESETS), ids=lambda c: c.__name__)
    def test_equal_the_core_presets(self, cls):
        assert np.array_equal(cls(seed=2)((5, 6)), PRESETS[cls](seed=2)((5, 6)))

    @pytest.mark.parametrize("cls", list(PRESETS), ids=lambda c: c.__name__)
    def test_config_has_seed_and_axes_only(self, cls):
        assert cls(seed=2).get_config() == {"seed": 2, "input_axes": None, "output_axes": None}

    def test_snake_case_aliases(self):
        assert vkeras.he_normal is vkeras.HeNormal
        assert vkeras.variance_scaling is vkeras.VarianceScaling

    def test_presets_are_variance_scaling_subclasses(self):
        assert isinstance(vkeras.GlorotNormal(), vkeras.VarianceScaling)
        assert repr(vkeras.HeNormal(seed=1)).startswith("vsinit.compat.keras.HeNormal(seed=1")


class TestSerialization:
    @pytest.mark.parametrize(
        "init",
        [
            vkeras.VarianceScaling(0.5, "fan_out", "untruncated_normal", 4, [0], [1, 2]),
            vkeras.HeNormal(seed=3),
            vkeras.GlorotUniform(seed=None),
        ],
        ids=repr,
    )
    def test_round_trip_through_json(self, init):
        config = json.loads(json.dumps(vkeras.serialize(init)))
        assert config["module"] == "keras.initializers"
        again = vkeras.deserialize(config)
        assert type(again) is type(init)
        assert again.get_config() == init.get_config()

    def test_get_accepts_names_dicts_classes_and_instances(self):
        assert public_type(vkeras.get("GlorotUniform")) is vkeras.GlorotUniform
        assert (
            public_type(vkeras.get({"class_name": "he_uniform", "config": {}})) is vkeras.HeUniform
        )
        assert public_type(vkeras.get(vkeras.LecunNormal)) is vkeras.LecunNormal
        init = vkeras.HeNormal()
        assert vkeras.get(init) is init

    def test_get_none_is_none_as_in_keras(self):
        assert vkeras.get(None) is None

    def test_get_rejects_other_identifiers(self):
        with pytest.raises(ValueError, match="Could not interpret"):
            vkeras.get(3)
        with pytest.raises(ValueError, match="`class_name`"):
            vkeras.get("Orthogonal")

    def test_serialize_rejects_other_objects(self):
        with pytest.raises(TypeError, match="`initializer`"):
            vkeras.serialize(vsinit.he_normal())

    def test_deserialize_needs_the_serialized_form(self):
        with pytest.raises(TypeError, match="class_name"):
            vkeras.deserialize({"scale": 1.0})

    def test_equality_includes_the_drawn_seed(self):
        assert vkeras.HeNormal(seed=1) == vkeras.HeNormal(seed=1)
        assert vkeras.HeNormal() != vkeras.HeNormal()


def test_complex_weights_are_refused_like_keras():
    with pytest.raises(ValueError, match="real floating"):
        vkeras.HeNormal()((3, 3), "complex64")


def test_fill_in_place():
    w = np.zeros((8, 3, 5), dtype=np.float32)
    init = vkeras.VarianceScaling(seed=1, input_axes=[0], output_axes=[2])
    assert init.fill_(w) is w
    assert np.array_equal(w, init((8, 3, 5)))
