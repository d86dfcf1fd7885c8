# stackctl — the two commands a new machine needs:
#   make up    installs what is missing, builds, starts the example stack, runs the suite, writes the report
#   make test  installs what is missing and runs every test (unit + integration on the real engine)
SHELL := /bin/bash
.DEFAULT_GOAL := help
STACKCTL := node bin/stackctl.js

.PHONY: help deps build engine base-image chromium compose env up down test test-unit typecheck bench test-swarm clean

help:
	@echo "make up      - engine, images, example stack up, integration suite, report"
	@echo "make test    - all tests (unit + integration against the real engine)"
	@echo "make down    - stop the example stack and remove its volumes"
	@echo "make bench   - benchmarks (results in BENCHMARKS.md)"
	@echo "make test-swarm - the example stack on a three-node Docker Swarm (docs/beyond-one-machine.md)"

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

build: deps
	npm run build --silent

engine:
	bash scripts/ensure-docker.sh

base-image: engine
	bash scripts/ensure-base-image.sh

chromium:
	bash scripts/ensure-chromium.sh

compose:
	bash scripts/ensure-docker-compose.sh

env:
	bash scripts/gen-env.sh

up: build base-image chromium env
	$(STACKCTL) up --test

down: build engine
	$(STACKCTL) down -v

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

test-unit: build compose
	npx vitest run test/unit

test: build base-image chromium compose
	@mkdir -p .stackctl
	npx vitest run --reporter=default --reporter=json --outputFile.json=.stackctl/vitest-results.json

bench: build base-image chromium env
	node bench/validate-bench.mjs
	node bench/compose-validate.mjs
	node bench/compose-scale.mjs
	node bench/up-bench.mjs
	node bench/daemon-bench.mjs
	node bench/ephemeral-bench.mjs
	node bench/cold-build-bench.mjs

# The example stack on a three-node Swarm (this engine + two Docker-in-Docker workers, loopback registry);
# docs/beyond-one-machine.md records a run. Needs Debian's docker-registry.
test-swarm: build base-image env
	@command -v docker-registry >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-registry)
	bash scripts/test-swarm.sh

clean:
	rm -rf dist .stackctl/vitest-results.json
