# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make lab    creates .venv, installs everything, opens JupyterLab on notebooks/
#   make test   the same install, then every test and every notebook
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check

# PyTorch's CPU build (a 190 MB download, 750 MB installed) unless nvidia-smi lists a GPU:
# torch from PyPI is, on Linux, the CUDA build with several GB of NVIDIA libraries. To choose:
#   make clean && make lab TORCH_INDEX=     (torch from the default index, e.g. PyPI's CUDA build)
#   make clean && make lab TORCH_INDEX=https://download.pytorch.org/whl/cu126   (one CUDA version)
#   make clean && make lab TORCH_INDEX=https://download.pytorch.org/whl/cpu   (CPU, even with a GPU)
CPU_TORCH_INDEX := https://download.pytorch.org/whl/cpu
GPU_FOUND := $(shell nvidia-smi -L 2>/dev/null | grep -m1 '^GPU')
TORCH_INDEX ?= $(if $(GPU_FOUND),,$(CPU_TORCH_INDEX))
# torch's requirement as pyproject.toml states it (e.g. torch==2.13.0)
TORCH_REQ := $(shell sed -n 's/^ *"\(torch[=<>~!][^"]*\)",\{0,1\} *$$/\1/p' pyproject.toml)

# torch first, so pip install -e '.[dev]' finds it satisfied. If the torch that pip already
# finds on this machine without any index (a local wheel: find-links) is the CPU build, that
# one, with no request to $(TORCH_INDEX) (the course's own machines and CI, where PyTorch's
# index is unreachable: pip would retry it for minutes); else from $(TORCH_INDEX), and if
# that fails, from the default index, saying so. TORCH_INDEX empty: nothing special.
define install_torch
if [ -z "$(TORCH_INDEX)" ]; then \
	echo "torch: from the default package index (TORCH_INDEX is empty$(if $(GPU_FOUND),: nvidia-smi lists a GPU))"; \
elif $(PIP) install --dry-run --no-index --no-deps --ignore-installed --quiet --report - '$(TORCH_REQ)' 2>/dev/null \
		| grep -q '"version": "[0-9.]*+cpu"'; then \
	echo "torch: $(TORCH_REQ), the CPU build found on this machine"; \
	$(PIP) install --quiet '$(TORCH_REQ)'; \
else \
	echo "torch: $(TORCH_REQ), the CPU build from $(TORCH_INDEX)"; \
	$(PIP) install --quiet --index-url '$(TORCH_INDEX)' '$(TORCH_REQ)' \
	|| { echo "torch: $(TORCH_INDEX) failed; torch from the default index instead (on Linux that is the CUDA build, several GB)"; \
	     $(PIP) install --quiet '$(TORCH_REQ)'; }; \
fi
endef

.PHONY: install lab test bench clean install-torch

$(STAMP): pyproject.toml jupyter/overrides.json jupyter/jupyter_server_config.json
	$(PYTHON) -m venv $(VENV)
	@$(install_torch)
	$(PIP) install --quiet -e '.[dev]'
	echo '$(TORCH_INDEX)' > $(VENV)/.torch-index
	mkdir -p $(VENV)/share/jupyter/lab/settings $(VENV)/etc/jupyter/jupyter_server_config.d
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	cp jupyter/jupyter_server_config.json $(VENV)/etc/jupyter/jupyter_server_config.d/course.json
	touch $(STAMP)

install: $(STAMP)

# only the torch step of install (tests/test_install.py runs it with a stand-in pip)
install-torch:
	@$(install_torch)

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

# The rendered book and the classroom slides (README "Read it as a book / teach from slides").
#   make book     book/_build/html/index.html: every notebook executed in the offline kernel
#                 (cached: a rebuild runs only the notebooks whose code changed)
#   make slides   slides/NN_name.slides.html (reveal.js), with the book's outputs
# The JavaScript they serve (MathJax, RequireJS, reveal.js, the widget manager) is installed
# from npm (book/package-lock.json) into book/node_modules: no page loads anything from a CDN.
BOOK_JS := book/node_modules/.course-installed
.PHONY: book slides
$(BOOK_JS): book/package.json book/package-lock.json
	cd book && npm ci --no-audit --no-fund --ignore-scripts
	touch $(BOOK_JS)

# BOOK_ONLY=00_start_here,02_convolution_arithmetic: only those chapters (book and slides)
book: install $(BOOK_JS)
	$(BIN)/python book/build.py $(if $(BOOK_ONLY),--only $(BOOK_ONLY))

slides: book
	$(BIN)/python book/make_slides.py $(if $(BOOK_ONLY),--only $(BOOK_ONLY))

# tests/test_book.py and tests/test_slides.py need the same files (they skip without npm),
# and so do make bench's book rows (cold and cached build)
ifneq ($(shell command -v npm),)
test: $(BOOK_JS)
bench: $(BOOK_JS)
endif

# make clean removes the book's build, its npm packages and the slides too
.PHONY: clean-book
clean: clean-book
clean-book:
	rm -rf book/_build book/node_modules slides/
