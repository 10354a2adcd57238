"""Compatibility profiles: each anchor framework's initializer API and semantics, chosen explicitly.

The core (:class:`vsinit.VarianceScaling`) is TensorFlow 2 / Keras' initializer. Where another
framework means something else by the same words, its profile reproduces that meaning:

* :mod:`vsinit.compat.tf1` — ``tf.compat.v1.variance_scaling_initializer`` (configuration with
  ``dtype``), the TF ≤ 1.9 / Keras ≤ 2.1 truncated normal without the 0.8796 correction
  (``truncation_correction=False``), and ``tf.contrib.layers.variance_scaling_initializer``;
* :mod:`vsinit.compat.keras` — Keras 3's ``VarianceScaling`` with ``input_axes`` and
  ``output_axes``, its preset classes, seeds, ``get_config`` and (de)serialization;
* :mod:`vsinit.compat.jax` — ``jax.nn.initializers``, where ``"normal"`` is untruncated and
  ``init(key, shape, dtype)`` takes a JAX key;
* :mod:`vsinit.compat.torch` — ``torch.nn.init``'s in-place ``kaiming_*_``, ``xavier_*_``
  and ``trunc_normal_`` (absolute bounds, exact for every dtype), on any writable array.

Importing a profile imports no framework: each samples through the core. The TF1, Keras
and PyTorch profiles run on every array library vsinit supports; the JAX profile returns JAX
arrays, as ``jax.nn.initializers`` does (and imports JAX when called). :data:`PROFILES`
tabulates what each one does.

>>> from vsinit.compat import tf1, keras, jax, torch
>>> sorted(PROFILES)
['jax', 'keras', 'tensorflow', 'torch']

May import: the profiles' private modules (``compat._profiles``); each public profile is a
submodule, imported by name.
"""

from vsinit.compat import jax, keras, tf1, torch
from vsinit.compat._profiles import PROFILES

__all__ = ["PROFILES", "jax", "keras", "tf1", "torch"]
