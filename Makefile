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

# $(call need,COMMAND,PACKAGE,WHAT,ANOTHER WAY): when COMMAND is missing, install the Debian
# PACKAGE with apt-get where we can (root, apt-get); otherwise stop and name the command to run.
define need
	@if ! command -v $(1) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing $(3) with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(3) is missing. Install it, then run make again:" >&2; \
	    echo "  sudo apt-get install -y $(2)     (Debian/Ubuntu)" >&2; \
	    echo "  $(4)" >&2; \
	    exit 1; \
	  fi; \
	fi
endef

# Graphviz's dot draws the graphs (SVG/PNG/PDF).
dot:
	$(call need,dot,graphviz,Graphviz's dot program,brew install graphviz                (macOS))

# The stepper page (`graph --format html`) is tested in a real browser: Debian's chromium,
# driven by Playwright (from PyPI) at /usr/bin/chromium; Playwright never downloads one.
# AUTOGRAD_LAB_CHROMIUM, when set, names another Chrome or Chromium binary to use instead.
chromium:
	$(if $(AUTOGRAD_LAB_CHROMIUM),@true,$(call need,chromium,chromium,chromium (for the browser tests),or point AUTOGRAD_LAB_CHROMIUM at a Chrome or Chromium binary))

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
