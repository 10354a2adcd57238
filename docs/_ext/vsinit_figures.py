"""Draw the documentation's pictures with vsinit itself when a Sphinx build starts.

Writes PNGs (and the performance page's body) into ``docs/_generated/`` (ignored by git):

* ``distributions.png``: each distribution's histogram on a real kernel against its density;
* ``libraries.png``: the same seed on NumPy, PyTorch and JAX (those installed), overlaid;
* ``fans.png``: a conv kernel in both layouts, which axes are in, out and receptive field;
* ``porting.png``: one CNN initialized in PyTorch and as a Flax-layout JAX pytree, compared;
* ``benchmark.png`` and ``performance.md``: the latest benchmark table and chart, when
  ``benchmarks/results/latest.{md,json}`` exist (or the folder ``VSINIT_BENCHMARK_RESULTS``
  names), else a note saying how to produce them.

Also usable without Sphinx: ``python docs/_ext/vsinit_figures.py`` draws the same files.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import vsinit
from vsinit._tools import benchmark_chart as _chart
from vsinit._tools import plot as _plot
from vsinit._tools.demo import to_numpy

DOCS = Path(__file__).resolve().parent.parent
#: Where the benchmark results are read from (``VSINIT_BENCHMARK_RESULTS`` overrides it).
RESULTS = Path(os.environ.get("VSINIT_BENCHMARK_RESULTS", DOCS.parent / "benchmarks" / "results"))
KERNEL = (3, 3, 256, 256)
SEED = 0


def distributions(out: Path) -> None:
    samples = {}
    for title, distribution in (
        ("he_normal", "truncated_normal"),
        ("untruncated_normal", "untruncated_normal"),
        ("he_uniform", "uniform"),
    ):
        init = vsinit.VarianceScaling(2.0, "fan_in", distribution, seed=SEED)
        samples[title] = (init, init(KERNEL))
    _plot.save(_plot.distributions_figure(KERNEL, samples), out / "distributions.png")


def libraries(out: Path) -> None:
    init = vsinit.he_normal(seed=SEED)
    samples = {"numpy": init(KERNEL)}
    for name, module in (("torch", "torch"), ("jax", "jax.numpy")):
        if importlib.util.find_spec(name) is not None:
            xp = importlib.import_module(module)
            samples[name] = to_numpy(init(KERNEL, xp=xp))
    _plot.save(_plot.libraries_figure(init, KERNEL, samples), out / "libraries.png")


def fans(out: Path) -> None:
    _plot.save(_plot.fans_figure(3, 3, 64, 128), out / "fans.png")


def porting(out: Path) -> None:
    """A small CNN in PyTorch and as a Flax-layout JAX pytree, from one seed (docs/porting.md)."""
    import jax
    import torch

    import vsinit.models

    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3),
        torch.nn.Conv2d(16, 32, 3),
        torch.nn.Flatten(),
        torch.nn.Linear(32, 10),
    )
    f32 = jax.numpy.float32
    flax_shapes = {
        "params": {
            layer: {
                "kernel": jax.ShapeDtypeStruct(k, f32),
                "bias": jax.ShapeDtypeStruct(k[-1:], f32),
            }
            for layer, k in (
                ("Conv_0", (3, 3, 3, 16)),
                ("Conv_1", (3, 3, 16, 32)),
                ("Dense_0", (32, 10)),
            )
        }
    }
    options = {
        "seed": SEED,
        "names": "position",
        "rules": [("*kernel", vsinit.he_normal()), ("*weight", vsinit.he_normal())],
    }
    vsinit.models.init_model(net, **options)
    pytree = vsinit.models.init_model(flax_shapes, **options)
    report = vsinit.models.plan_model(net, **options)
    permutes = {4: (2, 3, 1, 0), 2: (1, 0)}
    params = {}
    flax_leaves = [
        leaf for layer in pytree["params"].values() for leaf in (layer["kernel"], layer["bias"])
    ]
    for entry, leaf in zip(report, flax_leaves, strict=True):
        t = net.get_parameter(entry.name).detach()
        t = t.permute(*permutes[t.ndim]) if t.ndim in permutes else t
        params[entry.name] = (t.numpy(), to_numpy(leaf), entry.bound or 0.0)
    _plot.save(_plot.porting_figure(params, ("PyTorch", "JAX / Flax")), out / "porting.png")


def performance(out: Path) -> None:
    """The body of ``performance.md``: table and chart from the latest results, or a note."""
    table, chart = RESULTS / "latest.md", RESULTS / "latest.json"
    parts = []
    if table.is_file():
        parts.append(_as_section(table.read_text()))
    figure = None
    if chart.is_file():
        try:
            figure = _chart.benchmark_figure(json.loads(chart.read_text()))
        except (ValueError, TypeError, KeyError):  # a format this page does not know yet
            figure = None
    (out / "benchmark.png").unlink(missing_ok=True)
    if figure is not None:
        _plot.save(figure, out / "benchmark.png")
        alt = "ns per element of vsinit's tiers and its peers, per backend"
        parts.insert(0, f"![{alt}](/_generated/benchmark.png)")
    if not parts:
        parts.append(
            ":::{note}\nNo benchmark results in this build: run `vsinit bench` (or "
            "`nox -s bench`) in a source checkout; it writes `benchmarks/results/latest.md` "
            "and `latest.json`, which this page shows.\n:::"
        )
    (out / "performance.md").write_text("\n\n".join(parts) + "\n")


def _as_section(markdown: str) -> str:
    """The results' markdown without its title, its headings moved up to start at ``##``.

    The page has its own title, and MyST warns about a heading level that skips one.
    """
    lines = markdown.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    fenced = False
    levels = []
    for line in lines:
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#"):
            levels.append(len(line) - len(line.lstrip("#")))
    shift = min(levels, default=2) - 2
    fenced = False
    for i, line in enumerate(lines):
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#") and shift > 0:
            lines[i] = line[shift:]
    return "\n".join(lines).strip()


def generate(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for draw in (distributions, libraries, fans, porting, performance):
        draw(out)


def _on_builder_inited(app: Any) -> None:
    generate(Path(app.srcdir) / "_generated")


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    generate(DOCS / "_generated")
