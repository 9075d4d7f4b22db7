# regwatch — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: install run demo test bench clean

$(BIN)/regwatch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(BIN)/regwatch

## One full crawl → classify → store → digest cycle with the default settings (SQLite, digest files).
run: install
	$(BIN)/regwatch db upgrade
	$(BIN)/regwatch run

## The same cycle against the bundled local snapshot of the sites (no internet needed). The demo's
## 公安部 source is blocked by design, which `regwatch demo` reports with exit code 3.
demo: install
	$(BIN)/regwatch demo || [ $$? -eq 3 ]

## The test suite (SQLite always; PostgreSQL at 127.0.0.1:5432 when reachable).
test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_classify.py
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_export.py
	$(BIN)/python benchmarks/bench_daemon.py

clean:
	rm -rf $(VENV) var .pytest_cache
