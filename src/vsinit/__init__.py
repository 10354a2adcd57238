"""vsinit: TensorFlow's VarianceScaling initializer, once, for every array library.

One implementation of ``tf.variance_scaling_initializer`` (``tf.keras.initializers.
VarianceScaling``) written against the Python array API standard. It runs on NumPy,
PyTorch, CuPy, JAX, Dask and array-api-strict, and by default draws from a portable
counter-based stream, so the same seed gives the same values on every library and device
and for any partitioning of the tensor.

>>> import vsinit
>>> w = vsinit.he_normal(seed=0)((3, 3, 64, 128))
>>> w.shape, str(w.dtype)
((3, 3, 64, 128), 'float32')

May import: the engine (the initializer, presets, protocol), the math layer (fans, layouts,
shards), whose names it re-exports, and ``models``; never an array library or a framework
(``models._keras`` is imported once Keras is).
"""

from vsinit import compat, models, rng
from vsinit._engine.initializer import VarianceScaling
from vsinit._engine.presets import (
    calculate_gain,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    lecun_normal,
    lecun_uniform,
)
from vsinit._engine.protocol import Initializer
from vsinit._math.fans import compute_fans
from vsinit._math.layout import PartitionInfo
from vsinit._math.shards import shard
from vsinit.models._hooks import when_imported as _when_imported

__version__ = "0.1.0"


def _register_with_keras() -> None:
    from vsinit.models import _keras

    _keras.register()


# vsinit's initializers become Keras serializables when Keras is imported (now or later).
_when_imported("keras", _register_with_keras)

#: TensorFlow's aliases of the class.
variance_scaling_initializer = VarianceScaling
variance_scaling = VarianceScaling

__all__ = [
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
]
