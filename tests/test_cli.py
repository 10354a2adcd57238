"""The ``vsinit`` command line, end to end: ``python -m vsinit ...`` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vsinit
from vsinit._tools import cli as _cli
from vsinit._tools import commands as _commands

COMMANDS = ["demo", "describe", "sample", "plot", "model", "bench"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vsinit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def assert_usage_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit status 2 and exactly one line on stderr, naming the problem; no traceback."""
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vsinit"), lines
    for fragment in fragments:
        assert fragment in lines[0]


class TestHelp:
    @pytest.mark.parametrize("command", COMMANDS)
    def test_every_subcommand_has_help(self, command):
        result = run(command, "--help")
        assert result.returncode == 0
        assert f"usage: vsinit {command}" in result.stdout

    def test_the_top_level_help_lists_every_subcommand(self):
        result = run("--help")
        assert result.returncode == 0
        for command in COMMANDS:
            assert command in result.stdout


class TestBadArguments:
    @pytest.mark.parametrize(
        ("args", "fragment"),
        [
            ((), "required"),
            (("nonsense",), "invalid choice"),
            (("describe",), "SHAPE"),
            (("describe", "3", "x"), "expected integers"),
            (("describe", "3", "-3"), "negative"),
            (("describe", "3", "3", "--mode", "fan_sideways"), "--mode"),
            (("describe", "3", "3", "--preset", "he_normal", "--scale", "2"), "--preset"),
            (("describe", "3", "3", "--layout", "torch", "--in-axis", "0"), "--layout"),
            (("describe", "3", "3", "--in-axis", "0", "--out-axis", "0"), "in_axis"),
            (("describe", "3", "3", "--in-axis", "5"), "out of range"),
            (("describe", "3", "3", "--scale", "-1"), "scale"),
            (("describe", "3", "3", "--frobnicate"), "unrecognized"),
            (("sample", "3", "3", "--seed", "-1"), "seed"),
            (("sample", "3", "3", "--out", "w.txt"), ".npy"),
            (("sample", "3", "3", "--dtype", "bfloat16"), "bfloat16"),
            (("plot", "3", "3"), "--out"),
        ],
    )
    def test_one_line_and_status_2(self, args, fragment):
        assert_usage_error(run(*args), fragment)

    def test_a_backend_that_is_not_installed(self, monkeypatch, capsys):
        monkeypatch.setitem(_cli.BACKENDS, "numpy", "vsinit_no_such_library")
        assert _cli.main(["sample", "3", "3", "--backend", "numpy"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            "vsinit sample: error: --backend numpy: vsinit_no_such_library is not installed"
        ]


class TestDescribe:
    def test_he_normal_conv_kernel(self):
        result = run("describe", "3", "3", "64", "128", "--preset", "he_normal")
        assert result.returncode == 0, result.stderr
        out = result.stdout
        for fragment in [
            "fan_in  = 64 · 9 = 576",
            "fan_out = 128 · 9 = 1152",
            "n             576 (fan_in)",
            "2 / 576 = 0.00347222",
            "std           0.0589256",
            "±0.133979",
            'tf.keras.initializers.VarianceScaling(2.0, "fan_in", "truncated_normal")',
            "keras.initializers.HeNormal()",
            'jax.nn.initializers.variance_scaling(2.0, "fan_in", "truncated_normal", '
            "in_axis=-2, out_axis=-1)",
            "torch.nn.init.trunc_normal_(w, std=0.0669894, a=-0.133979, b=0.133979)",
            "w: (128, 64, 3, 3)",
        ]:
            assert fragment in out

    def test_torch_layout_gives_the_same_fans(self):
        result = run("describe", "128,64,3,3", "--preset", "he_normal", "--layout", "torch")
        assert result.returncode == 0, result.stderr
        assert "fan_in  = 64 · 9 = 576" in result.stdout
        assert "the PyTorch layout" in result.stdout
        assert "w: (3, 3, 64, 128)" in result.stdout  # TF's layout of the same kernel

    @pytest.mark.parametrize(
        ("args", "torch_call"),
        [
            (("--preset", "he_uniform"), 'kaiming_uniform_(w, nonlinearity="relu")'),
            (("--preset", "glorot_uniform"), "xavier_uniform_(w)"),
            (("--distribution", "untruncated_normal", "--scale", "2"), "kaiming_normal_(w, "),
            (("--mode", "fan_geo_avg", "--distribution", "uniform"), "uniform_(w, -"),
        ],
    )
    def test_nearest_pytorch_call(self, args, torch_call):
        result = run("describe", "3", "3", "64", "128", *args)
        assert result.returncode == 0, result.stderr
        assert torch_call in result.stdout

    def test_jax_normal_means_untruncated(self):
        result = run("describe", "64", "32", "--distribution", "untruncated_normal")
        assert '"fan_in", "normal"' in result.stdout


class TestSample:
    def test_writes_npy_and_prints_statistics(self, tmp_path):
        out = tmp_path / "w.npy"
        result = run("sample", "3", "3", "64", "128", "--preset", "he_normal", "--out", str(out))
        assert result.returncode == 0, result.stderr
        w = np.load(out)
        assert w.shape == (3, 3, 64, 128)
        assert w.dtype == np.float32
        assert np.array_equal(w, vsinit.he_normal(seed=0)((3, 3, 64, 128)))
        for row in ("mean", "std", "min", "max", "beyond bound", "0.0589256", "0.133979"):
            assert row in result.stdout
        assert "0.0000% (0)" in result.stdout

    def test_dtype_and_seed(self, tmp_path):
        out = tmp_path / "w.npy"
        args = ("64", "32", "--preset", "glorot_uniform", "--dtype", "float64", "--seed", "5")
        assert run("sample", *args, "--out", str(out)).returncode == 0
        assert np.array_equal(np.load(out), vsinit.glorot_uniform(5, "float64")((64, 32)))

    def test_torch_backend_writes_pt(self, tmp_path):
        torch = pytest.importorskip("torch")
        out = tmp_path / "w.pt"
        args = ("128", "64", "3", "3", "--preset", "he_normal", "--layout", "torch")
        result = run("sample", *args, "--backend", "torch", "--out", str(out))
        assert result.returncode == 0, result.stderr
        w = torch.load(out)
        assert isinstance(w, torch.Tensor)
        assert tuple(w.shape) == (128, 64, 3, 3)
        assert w.dtype == torch.float32

    def test_jax_backend_matches_numpy(self, tmp_path):
        pytest.importorskip("jax")
        out = tmp_path / "w.npy"
        result = run(
            "sample", "8", "8", "--preset", "he_uniform", "--backend", "jax", "--out", str(out)
        )
        assert result.returncode == 0, result.stderr
        assert np.array_equal(np.load(out), vsinit.he_uniform(seed=0)((8, 8)))


class TestPlot:
    def test_writes_a_png(self, tmp_path):
        pytest.importorskip("matplotlib")
        out = tmp_path / "he.png"
        result = run("plot", "3", "3", "32", "64", "--preset", "he_normal", "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def test_rejects_other_extensions(self, tmp_path):
        pytest.importorskip("matplotlib")
        assert_usage_error(run("plot", "8", "8", "--out", str(tmp_path / "x.jpg")), ".png")


class TestModel:
    MODULE = "def build(width=3):\n    return {'fc/kernel': (4, width), 'fc/bias': (width,), 'alpha': (1,)}\n"

    @pytest.fixture
    def here(self, tmp_path):
        (tmp_path / "my_model.py").write_text(self.MODULE)
        return tmp_path

    def test_report_of_a_callable_with_arguments(self, here):
        result = run("model", "my_model:build", "--arg", "width=5", "--unmatched", "skip", cwd=here)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].split() == [
            "name",
            "shape",
            "rule",
            "fan_in",
            "fan_out",
            "n",
            "std",
            "bound",
        ]
        assert lines[1].split()[:6] == ["fc/kernel", "(4,", "5)", "default:", "kernel", "4"]
        assert "(untouched)" in lines[3] and lines[-1] == "3 parameters, 25 values initialized"

    def test_json_rows(self, here):
        result = run(
            "model",
            "my_model:build",
            "--json",
            "--names",
            "position",
            "--unmatched",
            "skip",
            cwd=here,
        )
        rows = json.loads(result.stdout)
        assert [r["stream"] for r in rows] == ["0.kernel", "0.bias", "1.other"]

    def test_a_torch_module(self):
        pytest.importorskip("torch")
        result = run(
            "model",
            "torch.nn:Conv2d",
            "--arg",
            "in_channels=3",
            "--arg",
            "out_channels=8",
            "--arg",
            "kernel_size=3",
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[1].split()[:9] == [
            "weight",
            "(8,",
            "3,",
            "3,",
            "3)",
            "default:",
            "kernel",
            "27",
            "72",
        ]

    @pytest.mark.parametrize(
        ("args", "fragments"),
        [
            (["model", "my_model"], ["MODULE:CALLABLE", "'my_model'"]),
            (["model", "no_such_module:x"], ["cannot import 'no_such_module'"]),
            (["model", "my_model:nothing"], ["has no attribute 'nothing'"]),
            (
                ["model", "my_model:build", "--arg", "width"],
                ["--arg must be NAME=VALUE", "'width'"],
            ),
            (["model", "my_model:build"], ["no rule matches 1 parameter(s): 'alpha'"]),
        ],
        ids=["no-callable", "no-module", "no-attribute", "bad-arg", "unmatched"],
    )
    def test_bad_arguments(self, here, args, fragments):
        assert_usage_error(run(*args, cwd=here), *fragments)


class TestBench:
    def test_runs_the_checkout_script_with_progress_and_extra_arguments(self, tmp_path):
        (tmp_path / "pyproject.toml").write_text("")
        (tmp_path / "benchmarks").mkdir()
        (tmp_path / "benchmarks" / "run.py").write_text(
            "import sys\nprint('ARGS', sys.argv[1:])\nsys.exit(3)\n"
        )
        result = run("bench", "--quick", "--only", "numpy", cwd=tmp_path)
        assert "ARGS ['--progress', '--quick', '--only', 'numpy']" in result.stdout
        assert result.returncode == 3  # the script's own status

    def test_without_a_checkout(self, monkeypatch, capsys):
        monkeypatch.setattr(_commands, "bench_script", lambda: None)
        assert _cli.main(["bench", "--quick"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1
        assert "benchmarks/run.py" in err[0]


def test_importing_vsinit_imports_no_plotting_or_array_library():
    code = (
        "import sys, vsinit, vsinit._tools.cli, vsinit._tools.commands, vsinit._tools.describe, "
        "vsinit._tools.plot; "
        "print(sorted(m for m in ('matplotlib', 'torch', 'jax', 'dask', 'cupy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


#: One measured case, as benchmarks/run.py writes it in ``latest.json``.
BENCHMARK_RECORD = {
    "category": "throughput",
    "status": "ok",
    "backend": "numpy",
    "subject": "vsinit",
    "variant": "portable",
    "distribution": "truncated_normal",
    "shape": [4096, 4096],
    "dtype": "float32",
    "row_label": "vsinit portable",
    "ns_per_element": {"median": 2.5, "min": 2.4, "max": 2.9},
}


class TestBenchmarkChart:
    """The performance page's chart reads benchmarks/results/latest.json, whatever it holds."""

    def test_a_chart_from_the_results_document(self):
        pytest.importorskip("matplotlib")
        from vsinit._tools import benchmark_chart as _chart

        raw = {**BENCHMARK_RECORD, "subject": "raw", "variant": "normal", "row_label": "raw"}
        skipped = {**BENCHMARK_RECORD, "status": "skipped", "ns_per_element": None}
        document = {"schema": 1, "cases": [BENCHMARK_RECORD, raw, skipped]}
        assert len(_chart.benchmark_records(document)) == 2
        assert _chart.benchmark_figure(document) is not None

    @pytest.mark.parametrize("data", [{}, [], None, "text", {"cases": [{"status": "error"}]}])
    def test_no_chart_without_measurements(self, data):
        pytest.importorskip("matplotlib")
        from vsinit._tools import benchmark_chart as _chart

        assert _chart.benchmark_figure(data) is None


class TestSampleFailures:
    """What the libraries themselves refuse is reported like a bad argument."""

    def test_an_output_folder_that_does_not_exist(self, tmp_path):
        out = tmp_path / "no" / "such" / "w.npy"
        assert_usage_error(run("sample", "3", "3", "--out", str(out)), "does not exist")

    def test_more_memory_than_the_machine_has(self):
        assert_usage_error(run("sample", "10000000", "1000000"), "`shape`", "GiB")

    def test_a_device_that_holds_no_data(self):
        pytest.importorskip("torch")
        result = run("sample", "3", "3", "--backend", "torch", "--device", "meta")
        assert_usage_error(result, "meta")

    def test_pt_from_another_backend(self, tmp_path):
        torch = pytest.importorskip("torch")
        out = tmp_path / "w.pt"
        assert run("sample", "4", "4", "--out", str(out)).returncode == 0
        assert torch.load(out).shape == (4, 4)
