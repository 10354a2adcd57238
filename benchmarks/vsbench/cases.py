"""What is measured: cases (one timed callable each) and groups (one worker process each).

The plan is pure data: the orchestrator builds it to count and label cases, and each worker
rebuilds the same plan from the same options to find its own group's cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
SIZES = ((3, 3, 256, 256), (4096, 4096))
DTYPES = ("float32", "float64")
TINY_SHAPES = ((64,), (3, 3), (256, 256))
MEMORY_SHAPE = (4096, 4096)
#: The distribution of the per-call overhead and peak-memory cases.
OVERHEAD_DISTRIBUTION = "truncated_normal"

ITEMSIZE = {"float32": 4, "float64": 8}
#: The raw sampler that a distribution is compared with.
RAW_KIND = {"truncated_normal": "normal", "untruncated_normal": "normal", "uniform": "uniform"}
#: torch.nn.init's function for each distribution.
TORCH_INIT = {
    "truncated_normal": "trunc_normal_",
    "untruncated_normal": "kaiming_normal_",
    "uniform": "kaiming_uniform_",
}
#: What the baseline rows call: (backend, kind) -> label.
BASELINE_LABELS = {
    ("numpy", "normal"): "raw Generator.standard_normal(out=)",
    ("numpy", "uniform"): "raw Generator.random(out=)",
    ("numpy", "fill"): "fill: out.fill(1.0)",
    ("numpy", "normal fresh"): "raw Generator.standard_normal(shape) (new array)",
    ("numpy", "uniform fresh"): "raw Generator.random(shape) (new array)",
    ("torch", "normal"): "raw Tensor.normal_()",
    ("torch", "uniform"): "raw Tensor.uniform_()",
    ("torch", "fill"): "fill: t.fill_(1.0)",
    ("torch", "normal fresh"): "raw torch.randn(shape) (new array)",
    ("torch", "uniform fresh"): "raw torch.rand(shape) (new array)",
    ("jax", "normal"): "raw jax.random.normal",
    ("jax", "uniform"): "raw jax.random.uniform",
    ("jax", "fill"): "fill: jnp.full(shape, 1.0)",
    ("tensorflow", "normal"): "raw tf.random.normal",
    ("tensorflow", "uniform"): "raw tf.random.uniform",
    ("tensorflow", "fill"): "fill: tf.fill(shape, 1.0)",
}
BACKENDS = ("numpy", "torch", "jax", "tensorflow")
VSINIT_BACKENDS = ("numpy", "torch", "jax")


@dataclass(frozen=True)
class Case:
    """One measured callable.

    ``category`` is ``"throughput"`` (ns per element), ``"overhead"`` (µs per call on a tiny
    shape) or ``"memory"`` (peak RSS increase). ``backend`` is the library holding the
    output, ``subject`` who produces it (``vsinit``, ``raw``, ``fill`` or a peer), and
    ``variant`` the vsinit tier, the baseline kind or the peer's function or mode.
    """

    category: str
    backend: str
    subject: str
    variant: str = ""
    distribution: str = ""
    shape: tuple[int, ...] = ()
    dtype: str = "float32"

    @property
    def id(self) -> str:
        shape = "x".join(map(str, self.shape))
        parts = (self.category, self.backend, self.subject, self.variant, self.distribution)
        return "/".join([*(p or "-" for p in parts), shape, self.dtype])

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.elements * ITEMSIZE[self.dtype]

    @property
    def is_peer(self) -> bool:
        return self.subject not in ("vsinit", "raw", "fill")

    @property
    def peer_name(self) -> str:
        """The column name of a peer: the library, plus the mode where a peer has two."""
        return f"{self.subject} {self.variant}" if self.subject == "jax.nn" else self.subject

    @property
    def row_label(self) -> str:
        """The name of the case's row in its table."""
        if self.subject in ("raw", "fill"):
            return BASELINE_LABELS[self.backend, self.variant]
        if self.subject == "vsinit":
            return f"vsinit {self.variant}"
        if self.subject == "torch.nn.init":
            return f"torch.nn.init.{self.variant}"
        return self.peer_name

    @property
    def label(self) -> str:
        """A one-line description for progress output."""
        shape = "(" + ",".join(map(str, self.shape)) + ")"
        variant = "" if self.subject == "fill" else self.variant
        words = [self.backend, self.subject, variant, self.distribution, shape, self.dtype]
        if self.category != "throughput":
            words.insert(0, self.category)
        return " ".join(w for w in words if w)


@dataclass(frozen=True)
class Group:
    """Cases measured together in one fresh worker process.

    ``subjects`` names the module in :mod:`vsbench.subjects` that builds the callables;
    ``env`` is added to the worker's environment (``KERAS_BACKEND``, ``JAX_ENABLE_X64``).
    """

    name: str
    subjects: str
    cases: tuple[Case, ...]
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    """What shapes the plan."""

    quick: bool = False
    only: tuple[str, ...] = ()


def plan(options: Options) -> list[Group]:
    """Every group of the run, in order, filtered by ``options.only``."""
    sizes = SIZES[1:] if options.quick else SIZES
    dtypes = DTYPES[:1] if options.quick else DTYPES
    groups = [g for g in _throughput_groups(sizes, dtypes, options.quick) if g.cases]
    groups += _memory_groups()
    if options.only:
        groups = [g for g in groups if any(s in g.name for s in options.only)]
    return groups


def _throughput_groups(sizes: tuple, dtypes: tuple[str, ...], quick: bool) -> list[Group]:
    """Each backend's groups, in as many processes as its dtypes need."""
    groups: list[Group] = []
    for backend in BACKENDS:
        for part, suffix, env in _processes(backend, dtypes):
            grid = [(shape, dtype) for dtype in part for shape in sizes]
            # The tiny-shape (float32) cases are measured once, in the main process.
            for name, subjects, cases, extra in _backend_groups(
                backend, grid, quick, with_tiny=not suffix
            ):
                groups.append(Group(name + suffix, subjects, cases, {**env, **extra}))
    return groups


def _processes(backend: str, dtypes: tuple[str, ...]) -> list[tuple[tuple[str, ...], str, dict]]:
    """``(dtypes, group name suffix, env)``: JAX float64 runs apart, with ``JAX_ENABLE_X64``."""
    if backend != "jax" or "float64" not in dtypes:
        return [(dtypes, "", {})]
    others = tuple(d for d in dtypes if d != "float64")
    return [(others, "", {}), (("float64",), "-x64", {"JAX_ENABLE_X64": "1"})]


def _backend_groups(backend: str, grid: list[tuple], quick: bool, with_tiny: bool) -> list[tuple]:
    """``(name, subjects, cases, env)`` of every group of one backend."""
    keras_env = {"KERAS_BACKEND": backend}
    if backend == "numpy":
        return [
            ("vsinit-numpy", "vsinit_", _vsinit(backend, grid, with_tiny), {}),
            ("baseline-numpy", "baselines", _baselines(backend, grid), {}),
            ("keras-numpy", "keras_", _keras(backend, grid, with_tiny), keras_env),
        ]
    if backend == "torch":
        groups = [
            ("vsinit-torch", "vsinit_", _vsinit(backend, grid, with_tiny), {}),
            ("baseline-torch", "baselines", _baselines(backend, grid), {}),
            ("torch.nn.init", "torch_nn", _torch_nn(grid, with_tiny), {}),
        ]
        if not quick:
            groups.append(("keras-torch", "keras_", _keras(backend, grid, False), keras_env))
        return groups
    if backend == "jax":
        modes = ("jit",) if quick else ("eager", "jit")
        groups = [
            ("vsinit-jax", "vsinit_", _vsinit(backend, grid, False), {}),
            ("baseline-jax", "baselines", _baselines(backend, grid), {}),
            ("jax.nn", "jax_nn", _jax_nn(grid, modes, with_tiny), {}),
        ]
        if not quick:
            groups.append(("keras-jax", "keras_", _keras(backend, grid, False), keras_env))
        return groups
    if quick:
        return []
    return [
        ("tensorflow", "tensorflow_", _peer(backend, "tf.compat.v1", "eager", grid), {}),
        ("baseline-tensorflow", "baselines", _baselines(backend, grid), {}),
    ]


def _vsinit(backend: str, grid: list[tuple], with_tiny: bool) -> tuple[Case, ...]:
    tiers = {
        "numpy": ("portable", "native", "fill_", "native fill_"),
        "torch": ("portable", "native", "compiled", "fill_", "native fill_"),
        "jax": ("portable", "native", "compiled"),
    }
    cases = [
        Case("throughput", backend, "vsinit", tier, dist, shape, dtype)
        for shape, dtype in grid
        for dist in DISTRIBUTIONS
        for tier in tiers.get(backend, ("portable", "native"))
    ]
    if with_tiny:
        tiny_tiers = ("portable", "generator") if backend == "numpy" else ("portable",)
        cases += _tiny(backend, "vsinit", tiny_tiers)
    return tuple(cases)


def _baselines(backend: str, grid: list[tuple]) -> tuple[Case, ...]:
    return tuple(
        Case("throughput", backend, "fill" if kind == "fill" else "raw", kind, "", shape, dtype)
        for shape, dtype in grid
        for kind in ("fill", "normal", "uniform", "normal fresh", "uniform fresh")
        if backend in ("numpy", "torch") or "fresh" not in kind
    )


def _peer(backend: str, subject: str, variant: str, grid: list[tuple]) -> list[Case]:
    return [
        Case("throughput", backend, subject, variant, dist, shape, dtype)
        for shape, dtype in grid
        for dist in DISTRIBUTIONS
    ]


def _keras(backend: str, grid: list[tuple], with_tiny: bool) -> tuple[Case, ...]:
    cases = _peer(backend, "keras", "", grid)
    return tuple(cases + (_tiny(backend, "keras", ("",)) if with_tiny else []))


def _torch_nn(grid: list[tuple], with_tiny: bool) -> tuple[Case, ...]:
    cases = [
        Case("throughput", "torch", "torch.nn.init", TORCH_INIT[dist], dist, shape, dtype)
        for shape, dtype in grid
        for dist in DISTRIBUTIONS
    ]
    if with_tiny:
        cases += [
            Case("overhead", "torch", "torch.nn.init", "kaiming_normal_", "untruncated_normal", s)
            for s in TINY_SHAPES
        ]
    return tuple(cases)


def _jax_nn(grid: list[tuple], modes: tuple[str, ...], with_tiny: bool) -> tuple[Case, ...]:
    cases = [c for mode in modes for c in _peer("jax", "jax.nn", mode, grid)]
    return tuple(cases + (_tiny("jax", "jax.nn", ("jit",)) if with_tiny else []))


def _tiny(backend: str, subject: str, variants: tuple[str, ...]) -> list[Case]:
    return [
        Case("overhead", backend, subject, variant, OVERHEAD_DISTRIBUTION, shape)
        for variant in variants
        for shape in TINY_SHAPES
    ]


#: The peak-memory cases: (group name, subjects module, case, extra env).
MEMORY_CASES = (
    ("memory-vsinit-numpy-portable", "vsinit_", "numpy", "vsinit", "portable", {}),
    ("memory-vsinit-numpy-fill_", "vsinit_", "numpy", "vsinit", "fill_", {}),
    ("memory-vsinit-torch-portable", "vsinit_", "torch", "vsinit", "portable", {}),
    (
        "memory-torch.nn.init-trunc_normal_",
        "torch_nn",
        "torch",
        "torch.nn.init",
        "trunc_normal_",
        {},
    ),
    ("memory-keras-numpy", "keras_", "numpy", "keras", "", {"KERAS_BACKEND": "numpy"}),
    ("memory-jax.nn-jit", "jax_nn", "jax", "jax.nn", "jit", {}),
)


def _memory_groups() -> list[Group]:
    """One process per case: the peak of a fresh process is not blurred by earlier cases."""
    return [
        Group(
            name,
            subjects,
            (Case("memory", backend, subject, variant, OVERHEAD_DISTRIBUTION, MEMORY_SHAPE),),
            env,
        )
        for name, subjects, backend, subject, variant, env in MEMORY_CASES
    ]
