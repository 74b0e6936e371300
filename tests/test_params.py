"""The parameter file: validation, unknown keys at every level, path resolution and containment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mrmkit.errors import InvalidParameters
from mrmkit.params import Parameters, load_parameters
from tests.conftest import write_params


def _load_with(folder: Path, **overrides) -> Parameters:
    return load_parameters(write_params(folder, **overrides))


def test_paths_resolve_relative_to_the_file(tiny_project: Path) -> None:
    params = load_parameters(tiny_project / "params.yaml")
    assert params.data.reference == (tiny_project / "data" / "reference.parquet").resolve()
    assert params.data.roots == [tiny_project.resolve()]
    assert params.enabled_workbooks() == ["drift"]
    # defaults filled in from one place
    assert params.policy.psi.amber == 0.10 and params.policy.psi.red == 0.25
    assert params.policy.retraining.psi == 0.20 and params.policy.retraining.min_features == 3
    assert params.drift.p_value_adjustment == "holm"


def test_resolved_parameters_round_trip(tiny_project: Path, tmp_path_factory) -> None:
    """parameters.yaml in a package holds absolute paths, so it loads the same from anywhere."""
    params = load_parameters(tiny_project / "params.yaml")
    other = tmp_path_factory.mktemp("elsewhere") / "resolved.yaml"
    other.write_text(params.to_yaml())
    again = load_parameters(other)
    assert again == params


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"colour": "blue"}, "unknown key 'colour'"),
        ({"model__colour": "blue"}, "unknown key 'model.colour'"),
        ({"data__featurez": ["a"]}, "unknown key 'data.featurez'"),
        ({"policy": {"psi": {"amber": 0.1, "red": 0.2, "purple": 1}}}, "unknown key 'policy.psi.purple'"),
        ({"drift": {"binz": 3}}, "unknown key 'drift.binz'"),
        ({"model__id": None}, "required key 'model.id' is missing"),
        ({"data__reference": None}, "data.reference: required for a PD model"),
        ({"model__id": "../escape"}, "model.id"),
        ({"drift": {"bins": 1}}, "drift.bins"),
        ({"policy": {"psi": {"amber": 0.3, "red": 0.2}}}, "red (0.2) must not be below amber (0.3)"),
        ({"data__score": None}, "give the model as model.artifact, or its scores as data.score"),
        ({"data__reference": "../outside.parquet"}, "data.reference"),
        ({"model__artifact": "m.pkl"}, "pickle artifact can run arbitrary code"),
        ({"model__artifact": "m.bin"}, "cannot tell the format"),
        ({"data__features": ["income", "default"], "data__target": "default"}, "also named as id, target"),
        ({"data__categorical": ["nope"]}, "categorical: ['nope'] are not in features"),
        ({"drift": {"p_value_adjustment": "sidak"}}, "drift.p_value_adjustment"),
    ],
)
def test_bad_parameters_give_one_sentence_naming_file_and_field(tiny_project: Path, overrides, fragment) -> None:
    with pytest.raises(InvalidParameters) as info:
        _load_with(tiny_project, **overrides)
    message = str(info.value)
    assert fragment in message
    assert "params.yaml" in message
    assert "\n" not in message


def test_unknown_key_lists_allowed_keys(tiny_project: Path) -> None:
    with pytest.raises(InvalidParameters, match=r"allowed here: .*reference, current"):
        _load_with(tiny_project, data__featurez=["a"])


def test_path_outside_roots_is_refused_and_roots_widen_it(tiny_project: Path) -> None:
    shared = tiny_project / "shared"
    shared.mkdir()
    (shared / "ref.parquet").write_bytes(b"")
    sub = tiny_project / "sub"
    sub.mkdir()
    path = write_params(sub, data__reference="../shared/ref.parquet", data__current="../data/current.parquet")
    with pytest.raises(InvalidParameters, match="lies outside the folders the parameter file allows"):
        load_parameters(path)
    path = write_params(
        sub, data__reference="../shared/ref.parquet", data__current="../data/current.parquet", data__roots=[".."]
    )
    assert load_parameters(path).data.reference == (shared / "ref.parquet").resolve()


def test_symlink_escaping_the_root_is_refused(tiny_project: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.parquet"
    outside.write_bytes(b"x")
    (tiny_project / "data" / "link.parquet").symlink_to(outside)
    with pytest.raises(InvalidParameters, match="outside the folders"):
        _load_with(tiny_project, data__reference="data/link.parquet")


def test_missing_file_folder_empty_and_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameters, match="does not exist"):
        load_parameters(tmp_path / "nope.yaml")
    with pytest.raises(InvalidParameters, match="is a folder"):
        load_parameters(tmp_path)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(InvalidParameters, match="empty"):
        load_parameters(empty)
    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  id: [unclosed\n")
    with pytest.raises(InvalidParameters, match=r"bad.yaml: YAML syntax error at line \d+"):
        load_parameters(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(InvalidParameters, match="must be a YAML mapping"):
        load_parameters(listy)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InvalidParameters, match="cannot be read|YAML"):
        load_parameters(binary)


def test_trusted_pickle_is_accepted(tiny_project: Path) -> None:
    params = _load_with(tiny_project, model__artifact="m.pkl", model__trusted=True)
    assert params.model.format == "pickle"


def test_every_parameter_is_documented_in_the_readme() -> None:
    """The README's parameter reference names every key of every section, with its default."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()

    def keys(model, prefix):
        for name, field in model.model_fields.items():
            yield f"{prefix}{name}"
            annotation = field.annotation
            for arg in getattr(annotation, "__args__", (annotation,)):
                if hasattr(arg, "model_fields"):
                    yield from keys(arg, f"{prefix}{name}.")

    missing = [k for k in keys(Parameters, "") if f"`{k}`" not in readme]
    assert not missing, f"README parameter reference lacks: {missing}"


def test_yaml_written_by_to_yaml_is_plain(tiny_project: Path) -> None:
    params = load_parameters(tiny_project / "params.yaml")
    data = yaml.safe_load(params.to_yaml())
    assert data["data"]["reference"].endswith("reference.parquet")
    assert data["model"]["format"] is None  # scores-only: no artifact


def test_a_check_of_the_whole_file_names_its_fields_not_the_top_level(tmp_path) -> None:
    """A rule across sections (scores-only mode needs data.score, a registry model needs a tracking server)
    is reported by the fields it names, without pydantic's empty location ('(top level)')."""
    from mrmkit.errors import InvalidParameters
    from mrmkit.params import parameters_from_dict

    cases = [
        (
            {
                "model": {"id": "m", "version": "1"},
                "data": {"reference": "r.parquet", "current": "c.parquet"},
                "drift": {},
            },
            "p.yaml: model: give the model as model.artifact, or its scores as data.score",
        ),
        (
            {"model": {"id": "m", "version": "1", "kind": "var"}, "backtest": {}},
            "p.yaml: backtest.var: required for a VaR engine (model.kind var): give its P&L and VaR series as backtest.var",
        ),
    ]
    for raw, start in cases:
        with pytest.raises(InvalidParameters) as info:
            parameters_from_dict(raw, tmp_path, "p.yaml")
        assert str(info.value).startswith(start) and "(top level)" not in str(info.value), str(info.value)
