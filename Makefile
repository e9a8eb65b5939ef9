# Two commands for a newcomer: `make site` and `make test`.
# Both create the virtual environment from the locked requirements (exact versions and
# hashes, requirements/dev.txt) when it is missing or older than the lock, so they are safe
# to run again. `make lock` regenerates the locks from pyproject.toml; `make lint` runs ruff
# and mypy (CI runs it before the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test validate clean browser printing lint lock

$(STAMP): requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
	  -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

site: $(STAMP) printing
	$(BIN)/cabildo build

validate: $(STAMP)
	$(BIN)/cabildo validate

# The PDF bulletins need Pango (WeasyPrint), the DejaVu fonts they embed and HarfBuzz's
# subsetter (without it WeasyPrint subsets the fonts with fontTools: printing takes half
# again as long); their tests read pages with poppler-utils. As root, install the Debian
# packages that are missing.
PRINTING_PACKAGES := fonts-dejavu-core poppler-utils libpango-1.0-0 libpangoft2-1.0-0 \
  libharfbuzz-subset0
printing:
	@missing=$$(for p in $(PRINTING_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "missing for the bulletins: $$missing (install them as root)"; fi; fi

# The browser tests drive Debian's Chromium; as root, install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else echo "chromium is missing and this is not root: browser tests will be skipped"; fi; }

test: $(STAMP) browser printing
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check plugins tools tests tasks.py
	$(BIN)/mypy

# Runtime, test and dev dependencies, each locked with exact versions and hashes
# (uv keeps the versions already locked unless asked: make lock UPGRADE=--upgrade).
lock: $(STAMP)
	$(BIN)/uv pip compile -q --generate-hashes --python-version 3.11 $(UPGRADE) \
	  pyproject.toml -o requirements/runtime.txt
	$(BIN)/uv pip compile -q --generate-hashes --python-version 3.11 $(UPGRADE) \
	  --extra test pyproject.toml -o requirements/test.txt
	$(BIN)/uv pip compile -q --generate-hashes --python-version 3.11 $(UPGRADE) \
	  --extra test --extra dev pyproject.toml -o requirements/dev.txt

clean:
	rm -rf output output.builds output.tmp-* output.old-*
