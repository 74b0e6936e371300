# Two commands on a fresh clone (README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mrmkit-installed

# JupyterLab for testing `mrmkit open`, in its own environment layered on .venv: installed into .venv it
# would slow every kernel start by ~0.8 s (TOOLCHAIN.md); users get it with the `interactive` extra.
LAB       := .venv-lab
LAB_STAMP := $(LAB)/.mrmkit-installed

# A real MLflow tracking server for tests/test_mlflow_registry.py, in an environment of its own: full mlflow
# (the server) would pull pyarrow below our pin, so .venv has only the client, mlflow-skinny, of the same version.
MLFLOW         := .venv-mlflow
MLFLOW_STAMP   := $(MLFLOW)/.mrmkit-installed
MLFLOW_VERSION := 3.17.2

.PHONY: demo test lint bench clean install notebooks

install: $(STAMP)

# Reinstall whenever the pinned dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

$(LAB_STAMP): $(STAMP)
	@test -x $(LAB)/bin/python || $(BIN)/python -c "import sys, venv; venv.create('$(LAB)', with_pip=True)"
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check > $(LAB)/constraints.txt
	$(LAB)/bin/python -m pip install --quiet --disable-pip-version-check -c $(LAB)/constraints.txt jupyterlab==4.6.6
	$(LAB)/bin/python -c "import pathlib, site, sysconfig; pathlib.Path(sysconfig.get_path('purelib'), 'mrmkit-venv.pth').write_text('import site; site.addsitedir(' + repr(str(pathlib.Path('$(BIN)/..').resolve() / pathlib.Path(sysconfig.get_path('purelib')).relative_to(sysconfig.get_path('data')))) + ')\\n')"
	@touch $@

$(MLFLOW_STAMP): $(STAMP)
	@test -x $(MLFLOW)/bin/python || $(BIN)/python -c "import venv; venv.create('$(MLFLOW)', with_pip=True)"
	$(MLFLOW)/bin/python -m pip install --quiet --disable-pip-version-check mlflow==$(MLFLOW_VERSION)
	@touch $@

# Regenerate notebooks/*.ipynb from their jupytext sources notebooks/*.py.
notebooks: $(STAMP)
	$(BIN)/python tools/make_notebooks.py

demo: $(STAMP)
	OMP_WAIT_POLICY=PASSIVE $(BIN)/mrmkit demo

lint: $(STAMP)
	$(BIN)/ruff check mrmkit tests benchmarks tools
	$(BIN)/ruff format --check mrmkit tests benchmarks tools

test: $(STAMP) $(LAB_STAMP) $(MLFLOW_STAMP) lint
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python -m pytest -q

bench: $(STAMP)
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/bench_drift.py --rows 1000000
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/bench_demo.py
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/bench_demo_build.py
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/bench_backtest_pd.py
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/bench_stress.py
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/bench_comparison.py
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/bench_explain.py
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/alarm_rates.py --reps 1000

clean:
	rm -rf $(VENV) $(LAB) $(MLFLOW) demo outputs/*/ .pytest_cache .hypothesis
