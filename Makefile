# The two commands that matter on a fresh machine:
#   make dist   build the plugin bundle dist/<id>-<version>.tar.gz
#   make test   install what the tests need, then lint, unit, fuzz and end-to-end tests on the real stack
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := dist

PLUGIN_ID := $(shell node -p "require('./plugin.json').id")
PLUGIN_VERSION := $(shell node -p "require('./plugin.json').version")
BUNDLE := dist/$(PLUGIN_ID)-$(PLUGIN_VERSION).tar.gz

MMBB_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mattermost-plugin-buildbot
export MMBB_CACHE
GOLANGCI_VERSION := v2.11.0
GOLANGCI := $(MMBB_CACHE)/golangci-lint-$(GOLANGCI_VERSION)/golangci-lint

PLATFORMS := linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64
GO_SOURCES := $(shell find server -name '*.go' -not -path '*/testdata/*') go.mod go.sum
SERVER_BINS := $(foreach p,$(PLATFORMS),server/dist/plugin-$(p)$(if $(findstring windows,$(p)),.exe))
# A count of inputs, not a duration: a time limit can end the run while the fuzzer minimizes a new
# input, which go test reports as a failure ("context deadline exceeded").
FUZZTIME ?= 20000x

.PHONY: dist server webapp manifest deps node-deps lint unit fuzz bench bench-stack e2e test test-faults stack-up stack-down dev dev-down deploy logs clean

## Bundle ####################################################################

dist: $(BUNDLE)
	@echo "Artifacts:"
	@for f in $(SERVER_BINS) webapp/dist/main.js $(BUNDLE); do \
		printf '  %-40s %9s\n' "$$f" "$$(numfmt --to=iec-i --suffix=B $$(stat -c %s $$f))"; \
	done
	@printf '  %-40s %9s\n' "webapp/dist/main.js, gzipped" "$$(numfmt --to=iec-i --suffix=B $$(gzip -9c webapp/dist/main.js | wc -c))"

$(BUNDLE): plugin.json $(shell find assets -type f) $(SERVER_BINS) webapp/dist/main.js
	rm -rf dist/stage && mkdir -p dist/stage/$(PLUGIN_ID)/server/dist dist/stage/$(PLUGIN_ID)/webapp/dist
	cp plugin.json dist/stage/$(PLUGIN_ID)/
	cp -r assets dist/stage/$(PLUGIN_ID)/
	cp $(SERVER_BINS) dist/stage/$(PLUGIN_ID)/server/dist/
	cp webapp/dist/main.js dist/stage/$(PLUGIN_ID)/webapp/dist/
	tar -C dist/stage -czf $@ $(PLUGIN_ID)
	rm -rf dist/stage

server: $(SERVER_BINS)

server/dist/plugin-%: $(GO_SOURCES) server/manifest.go
	GOOS=$(word 1,$(subst -, ,$(basename $*))) GOARCH=$(word 2,$(subst -, ,$(basename $*))) CGO_ENABLED=0 \
		go build -trimpath -ldflags='-s -w' -o $@ ./server

webapp: webapp/dist/main.js

webapp/dist/main.js: node_modules/.installed $(shell find webapp/src -type f 2>/dev/null) webapp/webpack.config.js webapp/src/manifest.ts
	npm run build -w webapp

# The Go and TypeScript sides read id and version from files generated out of plugin.json.
manifest server/manifest.go webapp/src/manifest.ts: plugin.json node_modules/.installed
	npm run --silent manifest

## Dependencies ##############################################################

node_modules/.installed: package.json package-lock.json webapp/package.json e2e/package.json build/manifest/package.json build/deploy/package.json
	npm ci --no-audit --no-fund
	touch $@

node-deps: node_modules/.installed

$(GOLANGCI):
	GOBIN=$(dir $@) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

# Everything the tests need on a fresh Debian machine; each step is skipped when already done.
deps: node-deps $(GOLANGCI)
	e2e/stack/postgres.sh install
	e2e/stack/mattermost.sh build
	@# The browser test drives Debian's Chromium; no browser is downloaded.
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Checks ####################################################################

lint: node-deps $(GOLANGCI)
	npm run --silent manifest:check
	@test -z "$$(gofmt -l server bench)" || { gofmt -l server bench; echo "gofmt: the files above need formatting"; exit 1; }
	go vet ./...
	$(GOLANGCI) run ./...
	npm run --silent lint
	npm run --silent typecheck

unit: node-deps
	go test -race -count=1 ./server/...
	npm test -w webapp

# Each fuzz target runs briefly from its committed seed corpus; a panic or broken invariant fails,
# and so does a package whose tests do not build (go test -list fails then).
fuzz:
	@for pkg in $$(go list ./server/...); do \
		list=$$(go test -list '^Fuzz' $$pkg) || { echo "fuzz: cannot list the fuzz targets of $$pkg"; exit 1; }; \
		for target in $$(printf '%s\n' "$$list" | sed -n 's/^\(Fuzz[A-Za-z0-9_]*\)$$/\1/p'); do \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			go test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# Speed goals are measured here, printed as a table, never asserted in a timed test.
bench:
	go test -run '^$$' -bench . -benchmem ./server/...

# Every benchmark of e2e/bench/ on a fresh real stack (plus a master of 1,000 builders, kept
# between runs), side by side with the webhook recipes teams use today: prints the table, writes
# bench/results.md, stops the stack. MMBB_BENCH_BUILDS builds per latency run (default 20),
# MMBB_BENCH_LEVELS followed builds (default 1,10,100,1000), MMBB_BENCH_KEYSTROKES autocomplete
# rounds (default 100), MMBB_BENCH_PARTS a subset of latency,growth,big.
bench-stack: $(BUNDLE) node-deps
	e2e/stack/up.sh --fresh
	cd e2e && NODE_OPTIONS=--experimental-websocket npx tsx bench/stack.ts; status=$$?; cd .. && e2e/stack/down.sh; exit $$status

## The real stack and the end-to-end suite ###################################

stack-up: node-deps
	e2e/stack/up.sh

stack-down:
	e2e/stack/down.sh

# Contract tests of the Buildbot client and the TypeScript suite, on a stack started from empty state
# so every run sees the same servers.
e2e: $(BUNDLE) node-deps
	e2e/stack/run-e2e.sh

test: deps lint unit fuzz e2e

# Faults on the real stack: two Mattermost servers on one database, Buildbot behind Toxiproxy and a
# bad responder, PostgreSQL restarted mid-build, 50 users at once and a soak of MMBB_SOAK_MINUTES
# (30 by default). Prints the fault table with a result per row.
test-faults: deps $(BUNDLE)
	e2e/stack/toxiproxy.sh build
	e2e/stack/run-faults.sh

dev: $(BUNDLE)
	e2e/stack/dev.sh

dev-down: stack-down

## Your own server ###########################################################

# The bundle to the Mattermost server at MM_SERVICESETTINGS_SITEURL, as a system admin given by
# MM_ADMIN_TOKEN (a personal access token) or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD: uploaded
# over any older copy, then enabled. make logs prints the plugin's lines of that server's log.
deploy: $(BUNDLE) node-deps
	npx tsx build/deploy/src/index.ts deploy $(BUNDLE)

logs: node-deps
	npx tsx build/deploy/src/index.ts logs

clean:
	rm -rf dist server/dist webapp/dist e2e/artifacts
