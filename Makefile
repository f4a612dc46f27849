# loa: two commands on a fresh machine. `make run` runs the shipped example once on the embedded
# default (SQLite, in-process broker, outbox files); `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The example is the 2024 plan, so `make run` replays it as of the end of 2024.
EXAMPLE_NOW ?= 2024-12-31T16:00:00+07:00

.PHONY: run test lint format bench bench-quick clean report-pages screenshots

$(BIN)/loa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/loa
	$(BIN)/loa check
	$(BIN)/loa run --once --now $(EXAMPLE_NOW)
	$(BIN)/loa report --period 2024

test: $(BIN)/loa
	$(BIN)/pytest

lint: $(BIN)/loa
	$(BIN)/python -m tools.imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/loa
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf outbox loa.db loa.db-wal loa.db-shm report-pages

# After `make run`: the example's báo cáo (DOCX) and workbook (XLSX) as printed, to look at
# before anyone signs: PDF by LibreOffice headless, one PNG per page by pdftoppm (Debian:
# libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils; fonts-liberation2 stands in
# for Times New Roman).
REPORT_PERIOD ?= 2024-Q1
PAGES ?= report-pages
report-pages: $(BIN)/loa
	mkdir -p $(PAGES)
	$(BIN)/loa report --period $(REPORT_PERIOD) --format docx -o $(PAGES)/bao-cao-$(REPORT_PERIOD).docx
	$(BIN)/loa report --period $(REPORT_PERIOD) --format xlsx -o $(PAGES)/bao-cao-$(REPORT_PERIOD).xlsx
	cd $(PAGES) && for kind in docx xlsx; do \
	  soffice --headless --convert-to pdf --outdir $$kind bao-cao-$(REPORT_PERIOD).$$kind >/dev/null && \
	  pdftoppm -r 80 -png $$kind/bao-cao-$(REPORT_PERIOD).pdf bao-cao-$(REPORT_PERIOD)-$$kind; done
	@ls $(PAGES)/*.png

bench: $(BIN)/loa
	$(BIN)/python -m benchmarks.run

bench-quick: $(BIN)/loa
	$(BIN)/python -m benchmarks.run --quick

# Every console page at desktop (1280x900) and phone (390x844) width, signed in as an admin over
# a seeded database, in Debian's chromium driven by chromium-driver: PNG files in $(SHOTS)/.
SHOTS ?= screenshots
screenshots: $(BIN)/loa
	$(BIN)/python -m tests.screenshots $(SHOTS)
