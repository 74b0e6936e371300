"""`mrmkit export prometheus`: the text format read back by prometheus_client's parser, values equal to the
package's metrics.json, hostile names, the latest package per model, the inventory's due days, determinism,
the atomic write, forged packages, bad inputs, `batch --prometheus` and the Grafana dashboard.

One real package (a tiny project, drift and backtest, about 8 s) gives the PD metrics as the workbooks record
them; the others are built by hand (a metrics.json and a manifest written by ``write_manifest``), as in
test_compare.py, so VaR zones, hostile names and forged files cost nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.compare import read_metrics
from mrmkit.evidence import schema
from mrmkit.evidence.manifest import write_manifest
from mrmkit.export import textformat
from mrmkit.export.prometheus import FAMILIES, RATINGS, SOURCES, ZONES, _rating, export_prometheus, parse_now
from tests.conftest import make_frame, write_params

runner = CliRunner()
NOW = "2026-12-31T12:00:00Z"
DASHBOARD = Path(__file__).resolve().parents[1] / "grafana" / "mrmkit-dashboard.json"
HOSTILE = 'inc"o\\me\nü€ {x="1"},\\'  # a quote, backslashes, a line feed, non-ASCII, braces, a trailing backslash
NASTY = [HOSTILE, "tab\there", "cr\rhere", "# HELP fake", 'end\\"', "日本語", "a=b,c", "\\n literal"]


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample by metric name, parsed by prometheus_client (the reference parser)."""
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family.name
        for s in family.samples:
            out.setdefault(s.name, []).append((dict(s.labels), s.value))
    return out


def one(parsed: dict, name: str, **labels: str) -> float:
    found = [v for lab, v in parsed.get(name, []) if all(lab.get(k) == w for k, w in labels.items())]
    assert len(found) == 1, (name, labels, found)
    return found[0]


def package(
    root: Path,
    tree: dict[str, Any],
    model: str = "m",
    run: str = "r1",
    version: str = "1.0",
    started: str = "2026-12-01T00:00:00+00:00",
    status: str = "complete",
) -> Path:
    folder = root / model / version / run
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(tree, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    write_manifest(
        folder,
        {
            "model_id": model,
            "model_version": version,
            "run_id": run,
            "status": status,
            "started": started,
            "red_findings": 0,
        },
    )
    return folder


def var_tree() -> dict[str, Any]:
    levels = {
        name: {
            "traffic_light": {"zone": zone, "exceptions": n},
            "kupiec_pof": {"p_value": p, "p_value_exact": exact},
            "christoffersen_independence": {"p_value": 0.42320927464889835},
            "conditional_coverage": {"p_value": None},
        }
        for name, zone, n, p, exact in (
            ("var_99", "red", 11, 1.6343744690457365e-14, 0.0),
            ("var_975", "yellow", 9, "inf", 1e-300),
            ("var_95", "green", 12, 0.5, 0.25),
        )
    }
    return {
        "backtest": {
            "var": {"levels": levels, "es": {"es_975": {"p_value": 0.0004999500049995}}},
            "findings": [{"severity": "red", "metric": "backtest.var.levels.var_99.traffic_light.zone"}],
        }
    }


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    """One package of the tiny project with a hostile feature name (drift and backtest workbooks)."""
    from mrmkit.run.runner import run

    root = tmp_path_factory.mktemp("prom-real")
    rng = np.random.default_rng(5)
    (root / "data").mkdir()
    for name, n, shift, start in (("reference", 800, 0.0, "2024-01-01"), ("current", 600, 0.15, "2025-01-01")):
        frame = make_frame(rng, n, shift, start).rename(columns={"income": HOSTILE})
        frame.to_parquet(root / "data" / f"{name}.parquet", index=False)
    params = write_params(root, data__features=[HOSTILE, "utilisation", "enquiries", "region"], backtest={})
    return run(params, out=root / "out").package


@pytest.fixture
def var_folder(tmp_path: Path) -> Path:
    package(tmp_path / "out", var_tree(), model="desk-var", run="20261201T000000Z-0000abcd")
    return tmp_path / "out"


def inventory_file(folder: Path) -> Path:
    models = [
        ("quarterly-due", "quarterly", "2026-09-30", "production"),  # due 2026-12-30
        ("annual", "annual", "2026-02-28", "production"),  # due 2027-02-28
        ("month-end", "monthly", "2026-11-30", "development"),  # due 2026-12-30
        ("never", "annual", None, "production"),  # never validated: due now
        ("old", "annual", "2020-01-01", "retired"),  # retired: never due
    ]
    raw = {
        "models": [
            {
                "id": i,
                "name": f"Model {i}",
                "owner": 'Risk "A"',
                "risk_tier": "high",
                "status": s,
                "parameters": f"{i}.yaml",
                "frequency": f,
                "last_validated": d,
            }
            for i, f, d, s in models
        ]
    }
    path = folder / "inventory.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_real_package_values_equal_its_metrics(real: Path) -> None:
    from mrmkit.policy import overall_rating

    text = export_prometheus([real.parents[2]], parse_now(NOW)).text
    parsed = samples(text)
    metrics = read_metrics(real, with_tables=False)
    ids = {"model_id": "tiny-pd", "model_version": "1.0", "run_id": real.name}
    assert one(parsed, "mrmkit_package_verified", **ids) == 1
    assert one(parsed, "mrmkit_package_info", status="complete", **ids) == 1
    features = {f: v["psi"] for f, v in metrics["drift"]["features"].items() if isinstance(v.get("psi"), float)}
    assert HOSTILE in features and len(features) == 4
    assert {lab["feature"]: v for lab, v in parsed["mrmkit_drift_feature_psi"]} == features
    assert one(parsed, "mrmkit_drift_score_psi") == metrics["drift"]["score"]["psi"]
    assert one(parsed, "mrmkit_drift_grade_psi") == metrics["drift"]["grade"]["psi"]
    pd_ = metrics["backtest"]["pd"]
    for sample in ("current", "development"):
        assert one(parsed, "mrmkit_auc", sample=sample) == pd_["discrimination"][sample]["auc"]
    assert one(parsed, "mrmkit_auc_initial_test_p_value") == pd_["discrimination"]["auc_initial_test"]["p_value"]
    for test in ("hosmer_lemeshow", "portfolio_jeffreys", "spiegelhalter"):
        assert one(parsed, "mrmkit_calibration_p_value", test=test) == pd_["calibration"][test]["p_value"]
    grades = pd_["calibration"]["grades"]
    assert len(parsed["mrmkit_calibration_grade_p_value"]) == 2 * len(grades)
    for grade, row in grades.items():
        for test in ("jeffreys", "binomial"):
            assert one(parsed, "mrmkit_calibration_grade_p_value", grade=grade, test=test) == row[f"{test}_p_value"]
    findings = [f for wb in metrics.values() for f in wb.get("findings", [])]
    assert one(parsed, "mrmkit_overall_rating") == RATINGS[overall_rating(findings, False)]
    for workbook in metrics:
        for severity in ("red", "amber"):
            count = sum(f["severity"] == severity for f in metrics[workbook]["findings"])
            assert one(parsed, "mrmkit_findings", workbook=workbook, severity=severity) == count
    started = datetime.fromisoformat(json.loads((real / "manifest.json").read_text())["started"])
    assert one(parsed, "mrmkit_validation_timestamp_seconds") == started.timestamp()
    age = (datetime(2026, 12, 31, 12, tzinfo=UTC) - started).total_seconds() / 86400
    assert one(parsed, "mrmkit_validation_age_days") == age


def test_var_zones_and_p_values(var_folder: Path) -> None:
    parsed = samples(export_prometheus([var_folder], parse_now(NOW)).text)
    levels = var_tree()["backtest"]["var"]["levels"]
    for level, row in levels.items():
        assert one(parsed, "mrmkit_var_traffic_light_zone", level=level) == ZONES[row["traffic_light"]["zone"]]
        assert one(parsed, "mrmkit_var_traffic_light_exceptions", level=level) == row["traffic_light"]["exceptions"]
    assert {lab["level"]: v for lab, v in parsed["mrmkit_var_traffic_light_zone"]} == {
        "var_99": 2,
        "var_975": 1,
        "var_95": 0,
    }
    assert one(parsed, "mrmkit_var_backtest_p_value", level="var_99", test="kupiec_pof") == 1.6343744690457365e-14
    assert one(parsed, "mrmkit_var_backtest_p_value", level="var_975", test="kupiec_pof") == float("inf")  # "inf"
    assert one(parsed, "mrmkit_var_backtest_p_value", level="var_95", test="kupiec_pof_exact") == 0.25
    assert not [
        lab for lab, _ in parsed["mrmkit_var_backtest_p_value"] if lab["test"] == "conditional_coverage"
    ]  # null
    assert one(parsed, "mrmkit_es_backtest_p_value", level="es_975") == 0.0004999500049995
    assert one(parsed, "mrmkit_overall_rating") == 2


def test_rating_matches_the_report() -> None:
    from mrmkit.policy import overall_rating

    cases = [[], [{"severity": "amber"}], [{"severity": "green"}, {"severity": "red"}], [{"severity": "odd"}]]
    for findings in cases:
        for failed in (False, True):
            assert _rating(findings, failed) == RATINGS[overall_rating(findings, failed)]


def test_every_metrics_key_read_is_declared_in_the_schema() -> None:
    for _, key, _ in SOURCES:  # typed keys: a typo already fails the import
        assert schema.declared(key.dotted, dotted_names=False), key
    for workbook in ("drift", "backtest", "champion_challenger", "explainability"):
        assert schema.declared(f"{workbook}.findings"), workbook


@pytest.mark.parametrize("name", NASTY)
def test_hostile_label_values_round_trip(tmp_path: Path, name: str) -> None:
    tree = {
        "drift": {"features": {name: {"psi": 0.125}, "plain": {"psi": 0.5}}},
        "backtest": {"pd": {"calibration": {"grades": {name: {"jeffreys_p_value": 0.03125}}}}},
    }
    package(tmp_path / "out", tree)
    parsed = samples(export_prometheus([tmp_path / "out"], parse_now(NOW)).text)
    assert {lab["feature"]: v for lab, v in parsed["mrmkit_drift_feature_psi"]} == {name: 0.125, "plain": 0.5}
    assert one(parsed, "mrmkit_calibration_grade_p_value", grade=name, test="jeffreys") == 0.03125


def test_escaping_follows_the_spec() -> None:
    assert textformat.escape_label_value('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    assert textformat.escape_help('say "x"\\\n') == 'say "x"\\\\\\n'
    assert textformat.escape_label_value("\ud800x") == "\ufffdx"  # a lone surrogate cannot be UTF-8
    assert [textformat.format_value(v) for v in (float("inf"), float("-inf"), float("nan"), 3, 0.1)] == [
        "+Inf",
        "-Inf",
        "NaN",
        "3",
        "0.1",
    ]
    for bad in ("9lives", "has-dash", "mrmkit psi"):
        with pytest.raises(ValueError):
            textformat.Family(bad, "gauge", "x", ())
    with pytest.raises(ValueError):
        textformat.Family("mrmkit_x", "gauge", "x", ("__reserved",))
    assert all(textformat.METRIC_NAME.match(f.name) and f.name.startswith("mrmkit_") for f in FAMILIES)


def test_deterministic_sorted_bytes(tmp_path: Path, var_folder: Path) -> None:
    package(tmp_path / "more", {"drift": {"features": {"b": {"psi": 0.2}, "a": {"psi": 0.1}}}}, model="aa")
    inventory = inventory_file(tmp_path)
    first = export_prometheus([var_folder, tmp_path / "more"], parse_now(NOW), inventory).text
    again = export_prometheus([tmp_path / "more", var_folder], parse_now(NOW), inventory).text
    assert first.encode() == again.encode() and first.endswith("\n")
    names = [line.split()[2] for line in first.splitlines() if line.startswith("# TYPE ")]
    assert names == sorted(names) and len(names) == len(set(names))
    assert all(
        re.fullmatch(r"mrmkit_[a-z0-9_]+\{.*\} ([0-9.e+-]+|[+-]Inf|NaN)|# (HELP|TYPE) .*", line)
        for line in first.splitlines()
    )
    psi = [line for line in first.splitlines() if line.startswith("mrmkit_drift_feature_psi{")]
    assert psi == sorted(psi, key=lambda line: re.search(r'feature="([^"]*)"', line).group(1))


def test_latest_package_per_model(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for run, started, psi in (
        ("r3", "2026-10-01T00:00:00+00:00", 0.1),
        ("r1", "2026-11-01T00:00:00+00:00", 0.2),
        ("r2", "2026-11-01T00:00:00+00:00", 0.3),
    ):
        package(out, {"drift": {"score": {"psi": psi}}}, run=run, started=started)
    package(out, {"drift": {"score": {"psi": 0.9}}}, run="r9", version="2.0", started="2026-11-15T00:00:00+00:00")
    package(out, {"drift": {"score": {"psi": 0.05}}}, model="other", run="x1")
    (out / ".staging" / "m" / "9").mkdir(parents=True)  # never read
    explicit = out / "m" / "1.0" / "r2"
    parsed = samples(export_prometheus([out, explicit], parse_now(NOW)).text)
    assert {(lab["model_id"], lab["model_version"], lab["run_id"]) for lab, _ in parsed["mrmkit_package_info"]} == {
        ("m", "2.0", "r9"),
        ("other", "1.0", "x1"),
    }
    assert one(parsed, "mrmkit_drift_score_psi", model_id="m") == 0.9
    # the same start time: the later run id wins, as `history` orders them
    two = samples(export_prometheus([out / "m" / "1.0" / "r1", explicit], parse_now(NOW)).text)
    assert one(two, "mrmkit_drift_score_psi", model_id="m", run_id="r2") == 0.3


def test_inventory_due_days_by_hand(tmp_path: Path, var_folder: Path) -> None:
    # --now 2026-12-31T03:00+05:00 is 2026-12-30T22:00 UTC: the UTC date counts, 2026-12-30
    parsed = samples(
        export_prometheus([var_folder], parse_now("2026-12-31T03:00:00+05:00"), inventory_file(tmp_path)).text
    )
    due = {lab["model_id"]: v for lab, v in parsed["mrmkit_validation_due_in_days"]}
    assert due == {"quarterly-due": 0, "annual": 60, "month-end": 0, "never": 0}  # 2027-02-28 - 2026-12-30 = 60
    overdue = {lab["model_id"]: v for lab, v in parsed["mrmkit_validation_overdue"]}
    assert overdue == {"quarterly-due": 1, "annual": 0, "month-end": 1, "never": 1}
    later = samples(export_prometheus([var_folder], parse_now("2027-01-02"), inventory_file(tmp_path)).text)
    assert {lab["model_id"]: v for lab, v in later["mrmkit_validation_due_in_days"]} == {
        "quarterly-due": -3,
        "annual": 57,
        "month-end": -3,
        "never": 0,
    }
    info = {lab["model_id"]: lab for lab, _ in parsed["mrmkit_inventory_model_info"]}
    assert set(info) == {"quarterly-due", "annual", "month-end", "never", "old"} and info["old"]["status"] == "retired"
    assert info["annual"]["owner"] == 'Risk "A"'


def test_now_without_zone_is_utc() -> None:
    assert parse_now("2026-12-31") == datetime(2026, 12, 31, tzinfo=UTC) == parse_now("2026-12-31T00:00:00Z")
    assert parse_now(None).tzinfo is not None


def test_forged_package_exports_only_that_it_does_not_verify(tmp_path: Path, var_folder: Path) -> None:
    forged = package(var_folder, {"drift": {"score": {"psi": 0.01}}}, model="forged", run="r1")
    (forged / "metrics.json").write_text(json.dumps({"drift": {"score": {"psi": 0.0}}}))
    (var_folder / "broken" / "1.0" / "20261202T000000Z-00000000").mkdir(parents=True)
    (var_folder / "broken" / "1.0" / "20261202T000000Z-00000000" / "manifest.json").write_text("{not json")
    target = tmp_path / "mrmkit.prom"
    done = runner.invoke(app, ["export", "prometheus", str(var_folder), "--out", str(target), "--now", NOW])
    assert done.exit_code == 1, done.output
    assert f"{forged} does not verify (altered: metrics.json)" in done.stderr
    parsed = samples(target.read_text(encoding="utf-8"))
    verified = {lab["model_id"]: v for lab, v in parsed["mrmkit_package_verified"]}
    assert verified == {"forged": 0, "broken": 0, "desk-var": 1}
    assert one(
        parsed, "mrmkit_package_info", model_id="broken", status="unreadable", run_id="20261202T000000Z-00000000"
    )
    valued = {
        lab["model_id"]
        for name, rows in parsed.items()
        if name not in ("mrmkit_package_info", "mrmkit_package_verified", "mrmkit_package_trusted")
        for lab, _ in rows
    }
    assert valued == {"desk-var"}  # nothing read from an unverified package; the others still exported


def test_failed_package_is_rated_failed_and_one_auc_per_sample(tmp_path: Path) -> None:
    auc = {"discrimination": {"current": {"auc": 0.75}}}
    tree = {"drift": {"score": {"psi": 0.01}, "findings": []}, "backtest": {"pd": auc, "classifier": {**auc}}}
    package(tmp_path / "out", tree, status="failed")
    parsed = samples(export_prometheus([tmp_path / "out"], parse_now(NOW)).text)
    assert one(parsed, "mrmkit_overall_rating") == 3 and one(parsed, "mrmkit_package_info", status="failed") == 1
    assert one(parsed, "mrmkit_auc", sample="current") == 0.75  # backtest.pd and backtest.classifier: one sample


def test_stdout_equals_the_file(tmp_path: Path, var_folder: Path) -> None:
    target = tmp_path / "mrmkit.prom"
    piped = runner.invoke(app, ["export", "prometheus", str(var_folder), "--now", NOW])
    written = runner.invoke(app, ["export", "prometheus", str(var_folder), "--now", NOW, "--out", str(target)])
    assert piped.exit_code == written.exit_code == 0, piped.output + written.output
    assert piped.stdout == target.read_text(encoding="utf-8") and written.stdout == ""
    assert oct(target.stat().st_mode & 0o777) == "0o644"  # node_exporter runs as another user
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mrmkit.prom", "out"]  # no temporary file left


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "mrmkit.prom"
    target.write_text("old\n")
    seen = []
    real_replace = os.replace

    def replace(src: str, dst: Path) -> None:
        src = Path(src)
        seen.append((src.parent, src.name, src.read_text(), target.read_text()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    textformat.write_atomic(target, "new 1\n")
    folder, name, content, before = seen[0]
    assert folder == tmp_path and name.startswith(".mrmkit.prom.") and name.endswith(".tmp")  # not *.prom
    assert content == "new 1\n" and before == "old\n" and target.read_text() == "new 1\n"

    def broken(src: str, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(textformat.MrmkitError, match="could not be written"):
        textformat.write_atomic(target, "new 2\n")
    assert target.read_text() == "new 1\n" and sorted(p.name for p in tmp_path.iterdir()) == ["mrmkit.prom"]


def _bad_inputs(tmp: Path, good: Path) -> list[tuple[list[str], str]]:
    (tmp / "empty").mkdir(parents=True)
    (tmp / "file.txt").write_text("x")
    return [
        ([str(tmp / "empty")], "is not an evidence package and holds none"),
        ([str(tmp / "file.txt")], "is not an evidence package: it is a file"),
        ([str(tmp / "missing")], "does not exist"),
        ([str(good), "--inventory", str(tmp / "nope.yaml")], "nope.yaml does not exist"),
        ([str(good), "--now", "yesterday"], "--now: expected an ISO 8601 date or time"),
        ([str(good), "--now", "2026-13-01"], "--now: expected an ISO 8601 date or time"),
        ([str(good), "--out", str(tmp / "no-folder" / "x.prom")], "does not exist"),
        ([str(good), "--out", str(tmp / "empty")], "is a folder"),
    ]


def test_bad_inputs_one_sentence_exit_2_nothing_written(tmp_path: Path, var_folder: Path) -> None:
    for args, message in _bad_inputs(tmp_path / "bad", var_folder):
        out = ["--out", str(tmp_path / "out.prom")] if "--out" not in args else []
        done = runner.invoke(app, ["export", "prometheus", *args, *out])
        assert done.exit_code == 2, (args, done.output)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], (args, done.stderr)
        assert "Traceback" not in done.output and done.stdout == ""
        assert not (tmp_path / "out.prom").exists()
        assert not list((tmp_path / "bad").rglob("*.prom")) and not list(tmp_path.glob(".*.tmp"))


def test_batch_writes_the_export_after_the_run(real: Path, tmp_path: Path) -> None:
    shutil.copytree(real.parents[3], tmp_path / "project", ignore=shutil.ignore_patterns("out"))
    params, out, target = tmp_path / "project" / "params.yaml", tmp_path / "out", tmp_path / "mrmkit.prom"
    missing = runner.invoke(
        app, ["batch", str(params), "--out", str(out), "--prometheus", str(tmp_path / "x" / "y.prom")]
    )
    assert missing.exit_code == 2 and "--prometheus: the folder" in missing.stderr
    assert not out.exists()  # the check comes first: nothing ran
    done = runner.invoke(app, ["batch", str(params), "--out", str(out), "--jobs", "1", "--prometheus", str(target)])
    assert done.exit_code == 0, done.output
    (run,) = (out / "tiny-pd" / "1.0").iterdir()
    parsed = samples(target.read_text(encoding="utf-8"))
    assert one(parsed, "mrmkit_package_verified", model_id="tiny-pd", run_id=run.name) == 1
    assert one(parsed, "mrmkit_drift_score_psi") == read_metrics(run, with_tables=False)["drift"]["score"]["psi"]


def _emitted(real: Path, var_folder: Path, tmp_path: Path) -> set[str]:
    text = export_prometheus([real.parents[2], var_folder], parse_now(NOW), inventory_file(tmp_path)).text
    return {family.name for family in text_string_to_metric_families(text)}


def test_every_family_is_emitted(real: Path, var_folder: Path, tmp_path: Path) -> None:
    assert _emitted(real, var_folder, tmp_path) == {family.name for family in FAMILIES}


def test_dashboard_reads_only_metrics_the_exporter_emits(real: Path, var_folder: Path, tmp_path: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert [i["name"] for i in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    exprs = [variables["model_id"]["definition"], variables["model_id"]["query"]["query"]]
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${DS_PROMETHEUS}" and 'model_id=~"$model_id"' in target["expr"]
            exprs.append(target["expr"])
    used = {name for expr in exprs for name in re.findall(r"\bmrmkit_[a-z0-9_]+\b", expr)}
    emitted = _emitted(real, var_folder, tmp_path)
    assert used and used <= emitted, sorted(used - emitted)
    for needed in (
        "mrmkit_overall_rating",
        "mrmkit_drift_feature_psi",
        "mrmkit_auc",
        "mrmkit_calibration_p_value",
        "mrmkit_var_traffic_light_zone",
        "mrmkit_validation_timestamp_seconds",
        "mrmkit_validation_due_in_days",
        "mrmkit_package_verified",
    ):
        assert needed in used, needed
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
