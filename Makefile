# Muster: `make run` starts the platform on the embedded default; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYNCED := $(VENV)/.synced
HOST ?= 127.0.0.1
PORT ?= 8000
# requirements-dev.lock: runtime and dev packages, for make run/test and CI.
# requirements.lock: runtime packages only, for the Dockerfile. Both are
# written by `make lock` (never by hand) and pin every package, pip and
# setuptools included, with the hashes of its files.
LOCK := requirements-dev.lock
RUNTIME_LOCK := requirements.lock
PIP_COMPILE := CUSTOM_COMPILE_COMMAND='make lock' $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test lint typecheck check bench screenshots clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The venv holds exactly what the lock pins, hash-checked: install it, then
# remove anything the lock no longer lists (pip-sync, from the lock itself).
$(SYNCED): $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip-sync --quiet $(LOCK)
	touch $(SYNCED)

# Install the project itself, offline: with --no-index pip can only use what the
# lock installed, so this fails when pyproject.toml asks for something the lock lacks.
$(STAMP): $(SYNCED) pyproject.toml
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip install --quiet --no-index --no-build-isolation -e '.[dev]' \
		|| { echo "$(LOCK) does not satisfy pyproject.toml: run 'make lock'" >&2; exit 1; }
	touch $(STAMP)

# Re-resolve both locks from pyproject.toml, keeping the current pins where they
# still fit. `make lock UPGRADE=1` moves every package to its newest allowed
# version, `make lock UPGRADE_PACKAGES="django pillow"` only those. The runtime
# lock takes its versions from the dev lock, so the image runs what the tests ran.
lock: $(SYNCED)
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) $(foreach p,$(UPGRADE_PACKAGES),--upgrade-package $(p)) \
		--extra dev --build-deps-for editable -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --upgrade --build-deps-for wheel --constraint $(LOCK) -o $(RUNTIME_LOCK) pyproject.toml

# The site on uvicorn as production runs it (docker-compose.yml), with its access log: what works here works
# there, and one process is what the in-memory channel layer needs.
run: $(STAMP)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py migrate --noinput -v0
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Muster is starting at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo ""
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} MUSTER_SITE_URL=$${MUSTER_SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/uvicorn \
		--ws muster.websocket_frames:FramesWSProtocol --ws-per-message-deflate false --loop uvloop --http httptools --lifespan off \
		--host $(HOST) --port $(PORT) muster.asgi:application

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

typecheck: $(STAMP)
	DJANGO_DEBUG=true $(BIN)/mypy .

check: lint typecheck
	DJANGO_DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python -m bench

# The everyday pages at 375 and 1280 px, written by their browser journeys into docs/screenshots/.
SCREENSHOT_TESTS := tests/browser/test_start_page.py tests/browser/test_mentions.py \
	tests/browser/test_chat_everyday.py tests/browser/test_account.py
screenshots: $(STAMP)
	mkdir -p docs/screenshots
	MUSTER_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest -q $(SCREENSHOT_TESTS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
