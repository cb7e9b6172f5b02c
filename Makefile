# ITDesk — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BIND ?= 127.0.0.1:8000
DEMO_PASSWORD ?= itdesk-demo
export ITDESK_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test check pytest browser-deps messages clean

$(VENV)/.run-installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.run-installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

## run: install, migrate, load the demo data, start the web server and the worker (Ctrl-C stops both)
run: $(VENV)/.run-installed
	$(BIN)/itdesk migrate --noinput -v0
	$(BIN)/itdesk collectstatic --noinput -v0
	$(BIN)/itdesk demo --password "$(DEMO_PASSWORD)"
	$(BIN)/itdesk up --bind $(BIND) --logins "  Demo logins (password: $(DEMO_PASSWORD)): admin, agent1 (L1 desk), agent2 (L2 network), lead1 (group lead), manager1 (approver), alice, bob (requesters)"

## test: lint, Django checks, migrations check and the whole test suite (SQLite, or DATABASE_URL)
test: check pytest

check: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	ITDESK_DATA_DIR=$$(mktemp -d) $(BIN)/itdesk check --fail-level WARNING
	ITDESK_DATA_DIR=$$(mktemp -d) $(BIN)/itdesk makemigrations --check --dry-run
	$(BIN)/mypy src/itdesk/tickets/workflow.py src/itdesk/sla/engine.py src/itdesk/sla/calendar_file.py

pytest: $(VENV)/.dev-installed browser-deps
	$(BIN)/python -m pytest

## browser-deps: Debian's chromium for the browser tests, gettext for the translation tests and Dovecot
## (an IMAP server the mail tests start on 127.0.0.1); installed when missing
browser-deps:
	@{ command -v chromium && command -v xgettext && test -x /usr/sbin/dovecot; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium, gettext and dovecot-imapd for the test suite..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium gettext dovecot-imapd; }
	@command -v chromium >/dev/null 2>&1 || { echo "chromium is required for the browser tests" >&2; exit 1; }
	@command -v xgettext >/dev/null 2>&1 || { echo "gettext (xgettext) is required for the translation tests" >&2; exit 1; }
	@test -x /usr/sbin/dovecot || { echo "dovecot-imapd is required for the IMAP tests" >&2; exit 1; }

## messages: refresh the Chinese catalogue (needs gettext): extract, apply the translation memory, compile.
## New strings fail the middle step until their translations are in src/itdesk/locale/translations_zh_hans.py.
messages: $(VENV)/.dev-installed
	@command -v xgettext >/dev/null 2>&1 || { echo "makemessages needs GNU gettext: sudo apt-get install gettext" >&2; exit 1; }
	mkdir -p src/itdesk/locale
	cd src/itdesk && ITDESK_DATA_DIR=$$(mktemp -d) ../../$(BIN)/itdesk makemessages -l zh_Hans --no-obsolete --add-location file
	$(BIN)/python src/itdesk/locale/apply_translations.py
	cd src/itdesk && ITDESK_DATA_DIR=$$(mktemp -d) ../../$(BIN)/itdesk compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
