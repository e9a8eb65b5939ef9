# Two commands for a newcomer: `make site` and `make test`.
# Both create the virtual environment from the pinned requirements when it is
# missing or older than requirements.txt, so they are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test validate clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/invoke build

validate: $(STAMP)
	$(BIN)/invoke validate

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf output output.tmp-* output.old-*
