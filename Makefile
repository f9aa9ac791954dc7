# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make lab    creates .venv, installs everything, opens JupyterLab on notebooks/
#   make test   the same install, then every test and every notebook
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install lab test bench clean

$(STAMP): pyproject.toml jupyter/overrides.json jupyter/jupyter_server_config.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	install -D -m 644 jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	install -D -m 644 jupyter/jupyter_server_config.json $(VENV)/etc/jupyter/jupyter_server_config.d/course.json
	touch $(STAMP)

install: $(STAMP)

# (--allow-root only where you are root, e.g. in a container: Jupyter refuses root otherwise)
lab: install
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Every unit test, and every notebook as a test (nbval: each cell an item, its asserts the
# checks) in the offline kernel (conftest.py), two at a time on the 2 cores.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax --nbval-cell-timeout=900 \
		-p no:cacheprovider tests/ notebooks/

bench: install
	$(BIN)/python bench/run.py

# Teachers (README "For teachers"): student notebooks into release/; grade a class into
# grades.csv and feedback/, each submission in a bubblewrap sandbox (apt-get install
# bubblewrap). Optional: TIMEOUT=<seconds per cell> (default 120); UNSAFE=1 grades without
# the sandbox where bwrap cannot run (every row of grades.csv then says so).
.PHONY: release grade
release: install
	$(BIN)/python -m course_lib.grading.autograde release

grade: install
	$(BIN)/python -m course_lib.grading.autograde grade "$(SUBMISSIONS)" $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(UNSAFE),--unsafe)

clean:
	rm -rf $(VENV) release/ .pytest_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
