# The README's two commands: `make demo` and `make test`. Each sets up a fresh machine:
# a .venv with the pinned torch and this package, Graphviz's `dot` program, and Debian's
# chromium (the browser the stepper page's tests drive through Playwright).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup dot chromium clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt torch
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $(STAMP)

# Graphviz's dot draws the graphs (SVG/PNG/PDF). Install it with apt-get where we can;
# otherwise stop and name the command to run.
dot:
	@if ! command -v dot >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (dot) with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz's dot program is missing. Install it, then run make again:" >&2; \
	    echo "  sudo apt-get install -y graphviz     (Debian/Ubuntu)" >&2; \
	    echo "  brew install graphviz                (macOS)" >&2; \
	    exit 1; \
	  fi; \
	fi

# The stepper page (`graph --format html`) is tested in a real browser: Debian's chromium,
# driven by Playwright (from PyPI) at /usr/bin/chromium; Playwright never downloads one.
chromium:
	@if [ -z "$$AUTOGRAD_LAB_CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing chromium with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium (for the browser tests) is missing. Install it, then run make again:" >&2; \
	    echo "  sudo apt-get install -y chromium     (Debian/Ubuntu)" >&2; \
	    echo "  or point AUTOGRAD_LAB_CHROMIUM at a Chrome or Chromium binary" >&2; \
	    exit 1; \
	  fi; \
	fi

setup: $(STAMP) dot chromium

demo: setup
	@echo "== autograd-lab check on a correct solution: every check passes"
	$(BIN)/autograd-lab check exercise3 --file solutions/exercise3_my_relu.py
	@echo
	@echo "== autograd-lab check on the untouched stub: every check fails (exit code 1)"
	$(BIN)/autograd-lab check exercise3 --file exercises/exercise3_my_relu.py; test $$? -eq 1
	@echo
	@echo "== autograd-lab is installed in $(BIN). To run it as plain \`autograd-lab\`, put it on PATH"
	@echo "   in each new shell:"
	@echo "     source $(CURDIR)/$(VENV)/bin/activate"
	@echo "   then: autograd-lab --version; cd to a folder of your own; autograd-lab init"

# pytest exits 5 when it collects no test: that is not a failure of the suite.
test: setup
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
