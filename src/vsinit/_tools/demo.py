"""The demo: one seeded he_normal kernel on every installed array library, compared.

Run it with ``vsinit demo`` (or ``python -m vsinit demo``).

May import: the standard library, numpy and the public :mod:`vsinit`; the array libraries
only when the demo names them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import numpy as np

import vsinit

#: (label, module to pass as ``xp``, device, how to bring a result to NumPy).
CANDIDATES: list[tuple[str, str, Any]] = [
    ("numpy", "numpy", None),
    ("torch (cpu)", "torch", "cpu"),
    ("torch (cuda)", "torch", "cuda"),
    ("jax", "jax.numpy", None),
    ("cupy", "cupy", None),
    ("dask", "dask.array", None),
    ("array_api_strict", "array_api_strict", None),
]


def to_numpy(x: Any) -> np.ndarray:
    """Any supported array as a host NumPy array."""
    return np.asarray(_to_host(x))


def _to_host(x: Any) -> Any:
    library = type(x).__module__.split(".")[0]
    if library == "torch":
        return x.detach().cpu().float().numpy() if x.dtype.itemsize < 4 else x.cpu().numpy()
    if library == "cupy":
        return x.get()
    if library == "dask":
        return np.asarray(x.compute())
    if library == "array_api_strict":
        return np.from_dlpack(x)
    return np.asarray(x)


def installed() -> Iterator[tuple[str, Any, Any]]:
    """The candidate libraries that are installed and usable, imported."""
    for label, module, device in CANDIDATES:
        if importlib.util.find_spec(module.split(".")[0]) is None:
            continue
        try:
            xp = importlib.import_module(module)
            if device == "cuda" and not xp.cuda.is_available():
                continue
            if module == "cupy" and xp.cuda.runtime.getDeviceCount() == 0:
                continue
        except Exception:
            continue
        yield label, xp, device


def run(shape: tuple[int, ...] = (3, 3, 64, 128), seed: int = 0, out: TextIO | None = None) -> bool:
    """Print the comparison table; return whether every library agreed."""
    write: Callable[[str], Any] = print if out is None else (lambda s: out.write(s + "\n"))
    init = vsinit.he_normal(seed=seed)
    scaling = init.scaling(shape)
    write(f"vsinit {vsinit.__version__}: he_normal(seed={seed}) on a {shape} conv kernel")
    write(
        f"fan_in={vsinit.compute_fans(shape)[0]}, std={scaling.stddev:.6f}, "
        f"bound=±{scaling.bound:.6f}\n"
    )
    write(f"{'library':<18} {'first values':<36} {'std':>9} {'max |Δ| vs numpy':>18}  agrees")
    reference: np.ndarray | None = None
    all_agree = True
    for label, xp, device in installed():
        values = to_numpy(init(shape, xp=xp, device=device)).astype(np.float64)
        if reference is None:
            reference = values
        diff = float(np.max(np.abs(values - reference)))
        ulps = diff / float(np.spacing(np.float32(scaling.bound)))
        agrees = ulps <= 8
        all_agree &= agrees
        first = " ".join(f"{v:+.5f}" for v in values.ravel()[:4])
        verdict = "bit-identical" if diff == 0 else f"≤ {ulps:.0f} ulp" if agrees else "NO"
        write(f"{label:<18} {first:<36} {values.std():9.6f} {diff:18.2e}  {verdict}")
    write(
        "\nSame seed, same values: uniform bits are identical everywhere; normals agree to a "
        "few ulp (libraries' log/cos/sin differ in the last bits)."
    )
    return all_agree
