"""``models._hooks.when_imported``: a callback after a module's first import, never before,
and never at the cost of the import itself. Each test imports a fresh module written to a
temporary directory."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import uuid

import pytest

from vsinit.models._hooks import _AfterImport, when_imported


@pytest.fixture
def module_name(tmp_path, monkeypatch):
    name = f"probe_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)
    sys.meta_path[:] = [
        f for f in sys.meta_path if not (isinstance(f, _AfterImport) and f.name == name)
    ]


def test_runs_after_the_module_has_executed(module_name):
    seen = []
    when_imported(module_name, lambda: seen.append(sys.modules[module_name].VALUE))
    assert seen == []
    importlib.import_module(module_name)
    assert seen == [42]
    assert not any(isinstance(f, _AfterImport) and f.name == module_name for f in sys.meta_path)


def test_looking_the_module_up_is_not_importing_it(module_name):
    seen = []
    when_imported(module_name, lambda: seen.append(1))
    assert importlib.util.find_spec(module_name) is not None
    assert seen == []
    importlib.import_module(module_name)
    assert seen == [1]


def test_runs_at_once_when_already_imported(module_name):
    importlib.import_module(module_name)
    seen = []
    when_imported(module_name, lambda: seen.append(1))
    assert seen == [1]


def test_a_failing_callback_warns_and_the_import_succeeds(module_name):
    def fail():
        raise RuntimeError("boom")

    when_imported(module_name, fail)
    with pytest.warns(RuntimeWarning, match=f"could not register with {module_name}.*boom"):
        module = importlib.import_module(module_name)
    assert module.VALUE == 42
