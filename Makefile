# mailtrace: `make demo` to see it work, `make test` to run the tests.
SWIFT ?= swift
CHECK := --explicit-target-dependency-import-check error
RELEASE_BIN = .build/release/mailtrace
DEBUG_BIN = .build/debug/mailtrace

.PHONY: deps build release demo browser test tsan fuzz soak bench accuracy clean

# The system libraries mailtrace links: SQLite and zlib (Debian/Ubuntu packages).
deps:
	@missing=""; \
	for p in libsqlite3-dev zlib1g-dev; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(CHECK)

release: deps
	$(SWIFT) build -c release $(CHECK)

# Ingest the bundled outbreak, print what the analysis finds, write reports/incident.html.
demo: release
	@mkdir -p reports
	@rm -f reports/demo.db reports/demo.db-wal reports/demo.db-shm
	@$(RELEASE_BIN) demo --db reports/demo.db --out reports/incident.html

# Headless Chromium (and python3, which drives it) for the report's browser tests.
browser:
	@if ! command -v chromium >/dev/null || ! command -v python3 >/dev/null; then \
	  echo "Installing chromium and python3 (for the report's browser tests)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium python3; \
	fi

# The whole suite, then the store's tests again under ThreadSanitizer (the ingest's reader and
# writer threads run in-process there); make exits non-zero on a race report
# even when every test passed. `make tsan` runs the whole suite that way.
test: build browser
	MAILTRACE_BIN=$(CURDIR)/$(DEBUG_BIN) $(SWIFT) test $(CHECK)
	MAILTRACE_BIN=$(CURDIR)/$(DEBUG_BIN) $(SWIFT) test $(CHECK) --sanitize=thread --scratch-path .build-tsan --filter MailStoreTests

# The whole suite again under ThreadSanitizer, in its own build folder; the
# exit status is checked, not only the count of failed tests (a race makes the
# process fail even when every test passed).
tsan: build
	MAILTRACE_BIN=$(CURDIR)/$(DEBUG_BIN) $(SWIFT) test $(CHECK) --sanitize=thread --scratch-path .build-tsan

# libFuzzer + AddressSanitizer on the line parser and the archive reader
# (FuzzTesting/): replays the kept crashers, then fuzzes each target for
# FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# Ingest a log while another process appends to and rotates it and a third
# asks questions; then every line must be in the database exactly once.
soak: build
	@command -v sqlite3 >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq sqlite3; }
	scripts/soak.sh $(DEBUG_BIN)

# Ingest speed against `zcat | wc -l` on a generated 2.2-million-line archive,
# and every forensic question on a 5-million-line database (each goal: under 2 s).
bench: release
	@command -v sqlite3 >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq sqlite3; }
	scripts/bench.sh $(RELEASE_BIN)
	@echo
	scripts/bench-queries.sh $(RELEASE_BIN)

# Patient zero and infection edges against the simulator's truth, over many seeds and shapes.
accuracy: release
	@command -v jq >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq jq; }
	scripts/accuracy.sh $(RELEASE_BIN)

clean:
	rm -rf .build .build-tsan FuzzTesting/.build reports/*.db*
