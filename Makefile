# Fresh-machine entry points. Both targets create the virtual environment and install on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test test-all data backtest notebooks bench screenshots clean-venv lock

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e '.[test]'
	touch $(STAMP)

## Re-pin the environment after a change of dependencies in pyproject.toml
lock: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test]'
	{ echo "# The whole environment, pinned: \`make run\` / \`make test\` install exactly these (then the project, --no-deps)."; \
	  echo "# Regenerate after a dependency change: make lock"; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock

## The main job: build data if needed, train, register, forecast 2026 as of 2025-12-31, publish site/
run: $(STAMP)
	$(BIN)/primary-forecast run-all

## The test suite (long MCMC runs excluded; they are marked slow)
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

test-all: $(STAMP)
	$(BIN)/python -m pytest -q

data: $(STAMP)
	$(BIN)/primary-forecast data build

backtest: $(STAMP)
	$(BIN)/primary-forecast backtest --config experiments/comparison.yaml

notebooks: $(STAMP)
	$(BIN)/primary-forecast notebook all --fast

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_models.py
	$(BIN)/python benchmarks/bench_bayes.py

## The site screenshots in reports/ (documentation; the browser tests write theirs to a tmp dir)
screenshots: $(STAMP)
	$(BIN)/python benchmarks/site_screenshots.py

clean-venv:
	rm -rf $(VENV)
