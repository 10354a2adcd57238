"""The public surface: exactly the documented names, and no array library on import."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import vsinit

PUBLIC = {
    "Initializer",
    "PartitionInfo",
    "VarianceScaling",
    "__version__",
    "calculate_gain",
    "compat",
    "compute_fans",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "models",
    "rng",
    "shard",
    "variance_scaling",
    "variance_scaling_initializer",
}


def test_all_lists_exactly_the_public_names() -> None:
    assert set(vsinit.__all__) == PUBLIC
    public_attributes = {n for n in dir(vsinit) if not n.startswith("_")} | {"__version__"}
    assert public_attributes == PUBLIC


def test_rng_all_lists_its_public_names() -> None:
    names = {n for n in dir(vsinit.rng) if not n.startswith("_")}
    assert set(vsinit.rng.__all__) == names


def test_models_all_lists_its_public_names() -> None:
    names = {n for n in dir(vsinit.models) if not n.startswith("_")}
    assert set(vsinit.models.__all__) == names


def test_tensorflow_aliases_are_the_same_class() -> None:
    assert vsinit.variance_scaling_initializer is vsinit.VarianceScaling
    assert vsinit.variance_scaling is vsinit.VarianceScaling
    assert issubclass(vsinit.VarianceScaling, vsinit.Initializer)


def test_importing_and_using_vsinit_with_numpy_imports_no_other_array_library() -> None:
    code = textwrap.dedent(
        """
        import sys
        import vsinit
        w = vsinit.he_normal(seed=0)((3, 3, 4, 5))
        vsinit.glorot_uniform()((7,), rng="native")
        banned = [m for m in ("torch", "jax", "jaxlib", "cupy", "dask", "array_api_strict")
                  if m in sys.modules]
        print(",".join(banned))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
