# Two commands for a newcomer: `make site` and `make test`.
# Both create the virtual environment from the pinned requirements when it is
# missing or older than requirements.txt, so they are safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test validate clean browser

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/invoke build

validate: $(STAMP)
	$(BIN)/invoke validate

# The browser tests drive Debian's Chromium; as root, install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else echo "chromium is missing and this is not root: browser tests will be skipped"; fi; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

clean:
	rm -rf output output.tmp-* output.old-*
