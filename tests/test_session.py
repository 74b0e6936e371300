"""mrmkit.workbooks.session: what every workbook notebook does around its analysis (clock, records, warnings)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from mrmkit.workbooks import session as session_module
from mrmkit.workbooks.session import Session, start

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.py"))


class _Evidence:
    def metrics(self):
        return {"value": 1.5}


class _Profiles:
    def record(self):
        return {"counts": {"built": 1}}


class _Ctx:
    profiles = _Profiles()


def test_records_metrics_timings_and_profiles(monkeypatch):
    recorded, checked_as = {}, {}

    def record(name, value, workbook=None):
        recorded[name], checked_as[name] = value, workbook

    monkeypatch.setattr("mrmkit.evidence.scrap.record", record)
    s = Session("drift")
    monkeypatch.setattr("mrmkit.workbooks.context.load_context", lambda *a, **k: _Ctx())
    s.load({"x": 1}, None)
    evidence = s.analyse(lambda ctx: _Evidence())
    assert isinstance(evidence, _Evidence) and recorded["metrics"] == {"value": 1.5}
    assert checked_as["metrics"] == "drift"  # the recorder validates them as the drift workbook's metrics
    s.finish()
    assert set(recorded["timings"]) == {"imports_s", "load_s", "analyse_s", "cells_s"}
    assert all(v >= 0 for v in recorded["timings"].values())
    t = recorded["timings"]
    assert t["cells_s"] >= t["imports_s"] + t["load_s"] + t["analyse_s"] - 1e-9
    assert recorded["profiles"] == {"counts": {"built": 1}}


def test_analyse_before_load_is_a_clear_error():
    with pytest.raises(RuntimeError, match="Session.load"):
        Session("drift").analyse(lambda ctx: _Evidence())


def test_start_hides_deprecations_or_every_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start("drift")
        warnings.warn("old", DeprecationWarning, stacklevel=1)
        warnings.warn("kept", UserWarning, stacklevel=1)
        start("explainability", quiet="all")
        warnings.warn("hidden", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["kept"]


def test_the_module_imports_only_the_standard_library():
    code = f"import sys; import {session_module.__name__}; print(sorted(m for m in sys.modules if m.startswith(('mrmkit.', 'pandas', 'numpy'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['mrmkit.workbooks', 'mrmkit.workbooks.session']"  # imports_s: the notebook's own


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_uses_the_session_and_nothing_else_records(path):
    source = path.read_text(encoding="utf-8")
    assert f'session = start("{path.stem}"' in source and "session.finish()" in source
    assert "scrap." not in source and "_clock" not in source and "load_context(" not in source
