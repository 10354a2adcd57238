"""Models: one seed for every parameter of a model, in any framework.

:func:`init_model` initializes every parameter of a PyTorch ``nn.Module`` (in place), a
Keras 3 model (in place), a JAX pytree (Flax ``params``, Equinox modules: a new pytree;
Flax ``nnx`` modules in place) or a plain mapping ``name -> shape`` / ``name -> array``.
:func:`plan_model` says what it would do, as a :class:`Report`, without drawing.

Each parameter draws from its own portable stream, ``derive_seed(seed, stream name)``
(:func:`vsinit.rng.derive_seed`), in the canonical layout ``(*receptive, in, out)`` (see
:class:`Param`): renaming, adding or removing a parameter never changes another, and the
same architecture gets the same values in every framework when the stream names agree
(``names="position"``, or the caller's mapping).

>>> import vsinit.models
>>> shapes = {"fc1/kernel": (16, 32), "fc1/bias": (32,), "fc2/kernel": (32, 8)}
>>> weights = vsinit.models.init_model(shapes, seed=0)
>>> {k: v.shape for k, v in weights.items()}
{'fc1/kernel': (16, 32), 'fc1/bias': (32,), 'fc2/kernel': (32, 8)}
>>> print(vsinit.models.plan_model(shapes, seed=0))  # doctest: +NORMALIZE_WHITESPACE
name        shape     rule             fan_in  fan_out  n   std     bound
fc1/kernel  (16, 32)  default: kernel  16      32       24  0.2041  0.3536
fc1/bias    (32,)     default: bias    -       -        -   0       0
fc2/kernel  (32, 8)   default: kernel  32      8        20  0.2236  0.3873
3 parameters, 800 values initialized

May import: its own modules (``_api``, ``_params``, ``_report``, ``_rules``, ``_hooks``);
the frameworks' modules (``_torch``, ``_jax``, ``_keras``, ``_mapping``) load on first use.
"""

from vsinit.models._api import init_model, plan_model
from vsinit.models._params import Param
from vsinit.models._report import Entry, Report
from vsinit.models._rules import DEFAULT_RULES

__all__ = ["DEFAULT_RULES", "Entry", "Param", "Report", "init_model", "plan_model"]
