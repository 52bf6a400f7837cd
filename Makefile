# stable-abi: build it, test it, and run it the way CPython's Makefile runs
# Tools/build/stable_abi.py.
#
#   make check-limited-abi                      # the sample tree in this repository
#   make check-limited-abi CPYTHON=~/cpython    # a CPython checkout
#   make regen-limited-abi [CPYTHON=...]        # rewrite the generated files
#   make baseline-limited-abi [CPYTHON=...]     # accept today's header findings

CARGO ?= cargo
PREFIX ?= /usr/local
# A CPython checkout; empty means the sample tree (Misc/ + Include/ here).
CPYTHON ?=
# The tree: the sample, or the CPython checkout.
TREE := $(if $(CPYTHON),$(CPYTHON),.)
# Accepted header findings, beside the manifest (written once by
# `make baseline-limited-abi`; a line goes when its defect is fixed).
HEADERS_BASELINE ?= $(TREE)/Misc/stable_abi_baseline.txt

# Where cargo puts the binary, asked of cargo: CARGO_TARGET_DIR, a
# build.target-dir in .cargo/config.toml and the default ./target all work
# (CARGO_BUILD_TARGET adds its triple, as cargo does).
TARGET_DIR := $(shell $(CARGO) metadata --format-version 1 --no-deps | \
	sed -n 's/.*"target_directory": *"\([^"]*\)".*/\1/p')
EXE := $(if $(filter Windows_NT,$(OS)),.exe)
BIN := $(TARGET_DIR)/$(if $(CARGO_BUILD_TARGET),$(CARGO_BUILD_TARGET)/)release/stable-abi$(EXE)

# The sample tree's generated files are kept out of the top level.
SAMPLE_OUT := Misc/generated
SAMPLE_FILES := \
	--python3dll $(SAMPLE_OUT)/python3dll.c \
	--doc-list $(SAMPLE_OUT)/stable_abi.dat \
	--ctypes-test $(SAMPLE_OUT)/test_stable_abi_ctypes.py \
	--testcapi-feature-macros $(SAMPLE_OUT)/_testcapi_feature_macros.inc

.PHONY: build test test-fresh-clone lint regen-limited-abi check-limited-abi baseline-limited-abi install bench fetch-wheels

build:
	$(if $(TARGET_DIR),,$(error `$(CARGO) metadata` did not name cargo's target directory))
	$(CARGO) build --release --locked
	@echo "built $(BIN)"

test:
	$(CARGO) test --locked

# The real-wheel corpus of tests/corpus/wheels.toml (pinned by sha256), with
# pip, into $${STABLE_ABI_WHEELS:-~/.cache/stable-abi/wheels} (and abi3info into
# $${STABLE_ABI_DATA:-~/.cache/stable-abi/data}); a rerun downloads nothing.
PYTHON ?= python3
fetch-wheels:
	$(PYTHON) tests/corpus/fetch.py

# The README's two commands on a fresh clone with CARGO_TARGET_DIR elsewhere,
# and both install paths (minutes: CI runs it, `make test` leaves it out).
test-fresh-clone:
	$(CARGO) test --locked --test install_fresh_clone -- --ignored

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

ifeq ($(CPYTHON),)
regen-limited-abi: build
	"$(BIN)" Misc/stable_abi.toml --generate $(SAMPLE_FILES)

check-limited-abi: build
	"$(BIN)" Misc/stable_abi.toml $(SAMPLE_FILES) --unixy-check --baseline $(HEADERS_BASELINE)
	"$(BIN)" headers --manifest Misc/stable_abi.toml --platform all --baseline $(HEADERS_BASELINE)
else
regen-limited-abi: build
	cd $(CPYTHON) && "$(BIN)" --generate-all Misc/stable_abi.toml

# What stable_abi.py checks decides, as in CPython's own Makefile; then every
# header check at every version, failing on any finding the baseline lacks.
# Without a baseline the header checks only warn (through --all).
check-limited-abi: build
	cd $(CPYTHON) && "$(BIN)" --all Misc/stable_abi.toml
	@if [ -f $(HEADERS_BASELINE) ]; then \
		echo "cd $(CPYTHON) && $(BIN) headers --platform all --baseline $(abspath $(HEADERS_BASELINE))"; \
		cd $(CPYTHON) && "$(BIN)" headers --platform all --baseline $(abspath $(HEADERS_BASELINE)); \
	else \
		echo "note: no $(HEADERS_BASELINE): header findings are warnings;" \
		     "run 'make baseline-limited-abi CPYTHON=$(CPYTHON)' to accept today's and fail on new ones"; \
	fi
endif

baseline-limited-abi: build
	cd $(TREE) && "$(BIN)" headers --platform all --write-baseline $(abspath $(HEADERS_BASELINE))

# The binary built above, copied to $(DESTDIR)$(PREFIX)/bin as `make install`
# does elsewhere: no second build, and no cargo bookkeeping files in PREFIX.
install: build
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$(BIN)" "$(DESTDIR)$(PREFIX)/bin/stable-abi$(EXE)"

# Timings and ratios against the reference tools where they are installed;
# STABLE_ABI_CPYTHON=path measures another tree.
bench:
	$(CARGO) bench --locked
