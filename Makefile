# Two commands for a newcomer: `make run` and `make test`. Everything lives in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
EXAMPLE_HOST ?= 127.0.0.1
EXAMPLE_PORT ?= 8080
PLAYGROUND_FILE := var/playground/graphiql.min.js

export DEBUG ?= 1

.PHONY: run test test-live lint schema clean bench bench-quick example playground bench-hostile \
	bench-compare

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	@test -f $(PLAYGROUND_FILE) || $(BIN)/python manage.py install_playground \
	  || echo "  The playground could not be installed (npm and the npm registry are needed); /graphql/ says how to fix it."
	$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py compilemessages -i .venv -i var -v 0 \
	  || echo "  Translations were not compiled (gettext's msgfmt is needed); texts stay in English."
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_local_admin
	@echo ""
	@echo "  Hearth is running:  start here http://$(HOST):$(PORT)/"
	@echo "    playground http://$(HOST):$(PORT)/graphql/   admin http://$(HOST):$(PORT)/admin/   example blog http://$(HOST):$(PORT)/blog/"
	@echo "    live subscriptions ws://$(HOST):$(PORT)/graphql/ (graphql-transport-ws)"
	@echo ""
	$(BIN)/python manage.py run_webhooks & trap "kill $$!" EXIT; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The example blog (examples/blog) on its own origin, next to Hearth: CORS for real.
# Ports: make example EXAMPLE_PORT=8081 PORT=8001.
EXAMPLE_URL := http://$(EXAMPLE_HOST):$(EXAMPLE_PORT)
example: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Example blog: $(EXAMPLE_URL)/?api=http://$(HOST):$(PORT)/graphql/   API: http://$(HOST):$(PORT)/graphql/"
	@echo ""
	$(BIN)/python -m http.server $(EXAMPLE_PORT) --bind $(EXAMPLE_HOST) --directory examples/blog & trap "kill $$!" EXIT; \
	CORS_ALLOWED_ORIGINS=$(EXAMPLE_URL),http://localhost:$(EXAMPLE_PORT) \
	CSRF_TRUSTED_ORIGINS=$(EXAMPLE_URL),http://localhost:$(EXAMPLE_PORT) \
	HEARTH_ACCOUNT_SITE_URL=$(EXAMPLE_URL)/ \
	HEARTH_PREVIEW_URL="$(EXAMPLE_URL)/?api=http://$(HOST):$(PORT)/graphql/&slug={slug}&preview={token}" \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Optional: GraphiQL and React from npm into var/playground, so /graphql/ serves the playground
# itself (offline, strict CSP) instead of loading it from a CDN.
playground: $(STAMP)
	$(BIN)/python manage.py install_playground

# The browser tests drive the operating system's Chromium (Playwright's own download is not used).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "The browser tests need Chromium: sudo apt-get install -y chromium"; fi

# The scale-out tests (tests/live/test_scale_out.py) put Debian's haproxy in front of two servers.
HAPROXY := /usr/sbin/haproxy

$(HAPROXY):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; \
	else echo "The scale-out tests need haproxy: sudo apt-get install -y haproxy"; fi

# Hearth's catalogues (locale/) are compiled with gettext's msgfmt, by `make run` and the tests.
MSGFMT := /usr/bin/msgfmt

$(MSGFMT):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; \
	else echo "Translations need gettext: sudo apt-get install -y gettext"; fi

test: $(STAMP) | $(CHROMIUM) $(HAPROXY) $(MSGFMT)
	mkdir -p var
	$(BIN)/python -m pytest

# Only the concurrency and crash tests against a real server (`make test` runs them too).
test-live: $(STAMP) | $(HAPROXY)
	$(BIN)/python -m pytest -m live

# ruff, then the import contracts in pyproject.toml ([tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

schema: $(STAMP)
	$(BIN)/python manage.py export_schema

# Benchmarks (issue 7): Hearth against the floor, naive strawberry-django and graphene-django.
# graphene-django needs graphql-core < 3.3, so it gets its own virtualenv. See BENCHMARKS.md.
GRAPHENE_STAMP := .venv-graphene/.installed

$(GRAPHENE_STAMP): benchmarks/graphene/requirements.txt
	test -x .venv-graphene/bin/python || $(PYTHON) -m venv .venv-graphene
	.venv-graphene/bin/python -m pip install --quiet -r benchmarks/graphene/requirements.txt
	touch $(GRAPHENE_STAMP)

# Then the fan-out of live events (issue 14): 1,000 WebSocket subscribers on one post over two
# uvicorn processes (benchmarks/fanout.py; its own PostgreSQL database and redis-server).
bench: $(STAMP) $(GRAPHENE_STAMP)
	mkdir -p var
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.fanout

bench-quick: $(STAMP) $(GRAPHENE_STAMP)
	mkdir -p var
	$(BIN)/python -m benchmarks.run --quick
	$(BIN)/python -m benchmarks.fanout --quick

# Hearth before and after a change (issue 12's redesign): instructions per operation under
# valgrind's callgrind (the machine's load does not change them), then wall-clock interleaved
# round by round for context. BEFORE=a checkout of the earlier commit. See BENCHMARKS.md.
BEFORE ?= ../before

bench-compare: $(STAMP)
	mkdir -p var
	$(BIN)/python -m benchmarks.compare $(BEFORE) --instructions
	$(BIN)/python -m benchmarks.compare $(BEFORE)

# Hostile requests (issue 11): every class of attack against a server of its own (gunicorn with
# 2 workers, a fresh PostgreSQL database, its own redis-servers), with the CPU, memory and Redis
# each costs; writes benchmarks/HOSTILE.md. HOSTILE_ARGS=--quick for a short run, --sqlite.
bench-hostile: $(STAMP)
	mkdir -p var
	$(BIN)/python -m benchmarks.hostile $(HOSTILE_ARGS)

clean:
	rm -rf $(VENV) .venv-graphene var .pytest_cache
