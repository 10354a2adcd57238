"""Independent seeds for named parts of a model: ``derive_seed(seed, path)``.

A model's parameters each draw from their own portable stream, keyed by the model's seed
and the parameter's name, so that renaming, reshaping, adding or removing one parameter
never changes another's values. The derived seed is

.. code-block:: text

    derive_seed(seed, path) = int.from_bytes(
        BLAKE2b(seed.to_bytes(8, "little") + path.encode("utf-8"),
                digest_size=8, person=b"vsinit.param"),
        "little")

BLAKE2b (RFC 7693) is a fixed, unsalted function: the same ``(seed, path)`` gives the same
seed in every process, Python version and machine (Python's ``hash()`` of a string is salted
per process and would not). The personalization string keeps these seeds apart from any
other use of BLAKE2b on the same bytes.

May import: the math layer (``checks``).
"""

from __future__ import annotations

import hashlib

from vsinit._math.checks import check_seed, describe

#: BLAKE2b personalization of the derivation (at most 16 bytes); never to change.
PERSON = b"vsinit.param"


def derive_seed(seed: int, path: str) -> int:
    """The 64-bit seed of the stream named ``path`` under ``seed``.

    Parameters
    ----------
    seed
        The model's seed, an int in ``[0, 2**64)``.
    path
        A name, such as a parameter's qualified name ``"encoder.layers.0.q_proj.weight"``.
        Any string; names are compared as UTF-8 bytes, so ``"a.b"`` and ``"a/b"`` differ.

    Raises
    ------
    TypeError
        If ``path`` is not a string, or ``seed`` is not an int.
    ValueError
        If ``seed`` is outside ``[0, 2**64)``.

    Examples
    --------
    >>> from vsinit.rng import derive_seed
    >>> derive_seed(0, "fc1.weight") == derive_seed(0, "fc1.weight")
    True
    >>> derive_seed(0, "fc1.weight") != derive_seed(0, "fc1.bias") != derive_seed(1, "fc1.bias")
    True
    """
    value = check_seed(seed)
    if value is None:
        msg = "`seed` must be an int in [0, 2**64) to derive a named stream; received None."
        raise TypeError(msg)
    if not isinstance(path, str):
        msg = f"`path` must be a string (a parameter's name); received {describe(path)}."
        raise TypeError(msg)
    data = value.to_bytes(8, "little") + path.encode("utf-8", "surrogatepass")
    digest = hashlib.blake2b(data, digest_size=8, person=PERSON).digest()
    return int.from_bytes(digest, "little")
