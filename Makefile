# epart — build, run and test.
#
#   make run     start PostgreSQL, Redis, the API and the workers with demonstration data
#   make run-cluster  start three nodes (Redis+Sentinel, PostgreSQL+Patroni+etcd, API, worker each)
#   make test    build (release and sanitizers) and run every test
#   make asan    build with AddressSanitizer and UndefinedBehaviorSanitizer into build/asan
#   make bench   run the benchmarks of tests/bench (writes results under var/bench)
#   make fuzz    run each libFuzzer target for a bounded time from its seed corpus
#   make contract  hold /v1/openapi.json true with Prism, an OpenAPI validator, a generator
#   make web     install the front end's npm packages (npm ci) and build the application
#                into build/web and the page of /v1/docs into build/apidocs (web/build.sh)
#
# MODE=release (default) builds into build/release, MODE=asan into build/asan.

MODE     ?= release
CC       ?= cc
ifeq ($(origin CC),default)
CC       := cc
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wvla
CPPFLAGS := -D_GNU_SOURCE -I. -Icommon -I/usr/include/postgresql
BASEFLAGS := -std=c11 $(WARN) -pthread

ifeq ($(MODE),asan)
BUILD    := build/asan
CFLAGS   := $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer \
            -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS  := -fsanitize=address,undefined -pthread
else
BUILD    := build/release
CFLAGS   := $(BASEFLAGS) -O2 -g
LDFLAGS  := -pthread
endif

LIBS     := -levent -levent_pthreads -ljansson -lpq -lhiredis -ljwt -lcurl -lssl -lcrypto -lm
TESTLIBS := -lcmocka

COMMON_SRC := $(sort $(wildcard common/*.c)) $(sort $(wildcard store/*.c))
API_SRC    := $(sort $(wildcard api/*.c api/core/*.c api/support/*.c api/resources/*.c))
WORKER_SRC := $(sort $(wildcard worker/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
API_OBJ    := $(API_SRC:%.c=$(BUILD)/%.o)
WORKER_OBJ := $(WORKER_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBCOMMON  := $(BUILD)/libcommon.a

BINS := $(BUILD)/epart-api $(BUILD)/epart-worker $(BUILD)/epart-token $(BUILD)/bodycheck

.PHONY: all build asan run test unit valgrind integration chaos bench fuzz deps oidc-demo clean \
        contract contract-deps openapi web-docs web browser
.DEFAULT_GOAL := all

all: build
build: $(BINS) $(UNIT_BIN)

asan:
	@$(MAKE) --no-print-directory MODE=asan build

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The API's files include each other by layer ("core/server.h", "support/audit.h",
# "resources/handlers.h": docs/architecture.md), which only the API sees.
$(BUILD)/api/%.o: CPPFLAGS += -Iapi

# The OpenAPI document's schemas (api/openapi/*.json) joined into one JSON array
# that api/resources/openapi.c includes with .incbin: the files are the one source.
OPENAPI_PARTS := $(sort $(wildcard api/openapi/*.json))
$(BUILD)/openapi-parts.json: $(OPENAPI_PARTS)
	@mkdir -p $(dir $@)
	@{ printf '['; sep=; for f in $^; do printf '%s' "$$sep"; cat "$$f"; sep=,; done; printf ']'; } > $@
$(BUILD)/api/resources/openapi.o: $(BUILD)/openapi-parts.json
$(BUILD)/api/resources/openapi.o: CPPFLAGS += -DEPART_OPENAPI_PARTS='"$(BUILD)/openapi-parts.json"'

$(LIBCOMMON): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/epart-api: $(API_OBJ) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $(API_OBJ) $(LIBCOMMON) $(LIBS)

$(BUILD)/epart-worker: $(WORKER_OBJ) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $(WORKER_OBJ) $(LIBCOMMON) $(LIBS)

$(BUILD)/epart-token: $(BUILD)/deploy/epart-token.o $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBCOMMON) $(LIBS)

# The C validators as a filter, for the agreement test of tests/contract.
$(BUILD)/bodycheck: $(BUILD)/tests/contract/bodycheck.o $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBCOMMON) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBCOMMON) $(LIBS) $(TESTLIBS)

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- the front end: the web application (SPEC §12) and /v1/docs ------------
# One folder, web/, one lock file: npm ci again only when the lock file changes
# (--ignore-scripts: nothing served or tested needs an install script, and
# swagger-ui-dist's telemetry dependency has one); both built folders are remade
# when a source file changes. `web-docs` is the old name of the same target.

WEB_SRC := $(shell find web/src web/apidocs -type f 2>/dev/null)

web/node_modules/.epart-installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

build/web/index.html: $(WEB_SRC) web/build.sh web/node_modules/.epart-installed
	@bash web/build.sh build

web: build/web/index.html
web-docs: web

# ---- operations -------------------------------------------------------------

deps:
	@bash deploy/install-deps.sh
	@$(MAKE) --no-print-directory oidc-demo

# The OpenID provider of the tests and of the demonstration (deploy/oidc-demo):
# npm ci from its committed lock file, again only when the lock file changed.
oidc-demo: deploy/oidc-demo/node_modules/.package-lock.json

deploy/oidc-demo/node_modules/.package-lock.json: deploy/oidc-demo/package-lock.json
	cd deploy/oidc-demo && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: deps
	@$(MAKE) --no-print-directory build web
	@bash deploy/run.sh

# make run-cluster: three nodes on this machine (SPEC §14, docs/high-availability.md)
.PHONY: run-cluster
run-cluster: deps
	@$(MAKE) --no-print-directory build
	@exec python3 deploy/cluster.py run

# make test: every suite. Unit tests run under the sanitizers and valgrind; the
# integration, security and chaos suites run against the sanitizer build.
test: deps
	@$(MAKE) --no-print-directory build web
	@$(MAKE) --no-print-directory MODE=asan build
	@$(MAKE) --no-print-directory contract-deps
	@bash tests/run-tests.sh

unit: build
	@bash tests/run-tests.sh unit

# The OpenAPI document held true by outside tools (tests/contract/README.md):
# Prism's validating proxy over a pass on every route, the OpenAPI 3.1
# validator, the type generator. Test-time npm tools live in tests/contract.
contract-deps: tests/contract/node_modules/.package-lock.json
tests/contract/node_modules/.package-lock.json: tests/contract/package.json tests/contract/package-lock.json
	@cd tests/contract && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

contract: build contract-deps web
	@bash tests/run-tests.sh contract

# build/openapi.json: the document without a running server.
openapi: build
	@$(BUILD)/epart-api --openapi > build/openapi.json && echo "build/openapi.json"
# the browser suite alone (tests/browser), against the sanitizer build
browser: web
	@$(MAKE) --no-print-directory MODE=asan build
	@bash tests/run-tests.sh browser

bench: deps build
	@bash tests/bench/run.sh

fuzz: deps
	@bash tests/fuzz/run.sh

clean:
	rm -rf build
