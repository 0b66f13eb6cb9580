# docgen — the two commands of the README:  make demo  |  make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FANDOL_DIR := /usr/local/share/fonts/fandol
APT_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-core-nogui python3-uno fonts-noto-cjk fonts-noto-cjk-extra chromium libgl1 libglib2.0-0 \
	fonts-arphic-ukai fonts-wqy-zenhei poppler-utils fontconfig redis-server
# redis-server: the tests of several workers start their own broker on a free port (tests/test_workers.py).
# Demo input: the 14 pairing lines of the 彭州·黑水 notice, with its program file beside them.
DEMO_ROSTER := samples/pengzhou_heishui/roster.txt
DEMO_OUT := out/pengzhou_heishui

.PHONY: setup system python demo test quick lint bench clean serve

setup: system python

# System packages: LibreOffice (PDF), CJK fonts, poppler (tests read PDFs). Root on Debian, as the README says.
system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# FandolFang etc. (GPL with font exception) come inside Debian's texlive-lang-chinese; take the
	@# .otf files without installing TeX (see docs/pdf.md).
	@if [ ! -f $(FANDOL_DIR)/FandolFang-Regular.otf ]; then \
		set -e; tmp=$$(mktemp -d); cd $$tmp; \
		apt-get download texlive-lang-chinese >/dev/null 2>&1 || { apt-get update -qq && apt-get download texlive-lang-chinese; }; \
		dpkg-deb -x texlive-lang-chinese_*.deb x; \
		mkdir -p $(FANDOL_DIR); \
		cp x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol{Fang,Song,Hei,Kai}-*.otf $(FANDOL_DIR)/; \
		cd /; rm -rf $$tmp; fc-cache -f >/dev/null; echo "installed Fandol fonts into $(FANDOL_DIR)"; \
	fi

python: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/docgen generate $(DEMO_ROSTER) --out $(DEMO_OUT)

lint: python
	$(BIN)/ruff check docgen extractors api cli tests bench testkit tools
	$(BIN)/mypy

test: setup lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# The edit-test loop: everything but the tests marked slow (LibreOffice, OCR, Chromium, PostgreSQL service).
quick: python
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/python bench/bench_generate.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache

serve: setup
	$(BIN)/docgen serve --create-admin admin --data var
