# Two commands on a fresh clone (README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mrmkit-installed

.PHONY: demo test lint bench clean install

install: $(STAMP)

# Reinstall whenever the pinned dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

demo: $(STAMP)
	OMP_WAIT_POLICY=PASSIVE $(BIN)/mrmkit demo

lint: $(STAMP)
	$(BIN)/ruff check mrmkit tests benchmarks

test: $(STAMP) lint
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
	rm -rf $(VENV) demo outputs/*/ .pytest_cache .hypothesis
