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
# `make baseline-limited-abi`; a line goes when its defect is fixed). When it
# exists, the checks fail on every header finding it does not accept; without
# it, only on what stable_abi.py checks (the rest is one summary line).
HEADERS_BASELINE ?= $(TREE)/Misc/stable_abi_baseline.txt
BASELINE_ARG = $(if $(wildcard $(HEADERS_BASELINE)),--baseline $(abspath $(HEADERS_BASELINE)))

# Where cargo puts the binary, asked of cargo: CARGO_TARGET_DIR, a
# build.target-dir in .cargo/config.toml and the default ./target all work
# (CARGO_BUILD_TARGET adds its triple, as cargo does).
TARGET_DIR := $(shell $(CARGO) metadata --format-version 1 --no-deps | \
	sed -n 's/.*"target_directory": *"\([^"]*\)".*/\1/p')
EXE := $(if $(filter Windows_NT,$(OS)),.exe)
# The build that is measured and shipped: Cargo.toml's `dist` profile
# (release with link-time optimization across crates), as the wheel is.
PROFILE := dist
BIN := $(TARGET_DIR)/$(if $(CARGO_BUILD_TARGET),$(CARGO_BUILD_TARGET)/)$(PROFILE)/stable-abi$(EXE)
# `make test`'s output, read back for its count of ignored tests.
TEST_LOG := $(TARGET_DIR)/make-test.log

# The sample tree's generated files are kept out of the top level.
SAMPLE_OUT := Misc/generated
SAMPLE_FILES := \
	--python3dll $(SAMPLE_OUT)/python3dll.c \
	--doc-list $(SAMPLE_OUT)/stable_abi.dat \
	--ctypes-test $(SAMPLE_OUT)/test_stable_abi_ctypes.py \
	--testcapi-feature-macros $(SAMPLE_OUT)/_testcapi_feature_macros.inc

.PHONY: build test test-fresh-clone lint regen-limited-abi check-limited-abi baseline-limited-abi install bench fetch-wheels fetch-sdists

build:
	$(if $(TARGET_DIR),,$(error `$(CARGO) metadata` did not name cargo's target directory))
	$(CARGO) build --profile $(PROFILE) --locked
	@echo "built $(BIN)"

# The tests, then how many were ignored and why: a test whose data (a
# CPython tree, ../shared) or tool (python3, gcc) is missing is ignored
# with its reason, never passed (README, "Tests"); under CI=true it fails.
test:
	@mkdir -p "$(TARGET_DIR)"
	@{ $(CARGO) test --locked 2>&1; echo $$? > "$(TEST_LOG).status"; } | tee "$(TEST_LOG)"
	@ignored=$$(grep -c '^test .* \.\.\. ignored' "$(TEST_LOG)"); \
	echo "make test: $$ignored test(s) ignored (not run)$$([ "$$ignored" -gt 0 ] && echo ', by reason:')"; \
	sed -n 's/^test .* \.\.\. ignored, /    /p' "$(TEST_LOG)" | sort | uniq -c | sort -rn
	@exit "$$(cat "$(TEST_LOG).status")"

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

# The real extensions `stable-abi port` is tested and measured on
# (tests/sdists.txt), pinned by sha256, into ~/.cache/stable-abi/sdists.
fetch-sdists:
	.ci/fetch-sdists

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

ifeq ($(CPYTHON),)
regen-limited-abi: build
	"$(BIN)" Misc/stable_abi.toml --generate $(SAMPLE_FILES)

check-limited-abi: build
	"$(BIN)" Misc/stable_abi.toml $(SAMPLE_FILES) --unixy-check --platform all $(BASELINE_ARG)
else
regen-limited-abi: build
	cd $(CPYTHON) && "$(BIN)" --generate-all Misc/stable_abi.toml

# As in CPython's own Makefile: stable_abi.py's checks, and with the
# checkout's baseline every header check at every version.
check-limited-abi: build
	cd $(CPYTHON) && "$(BIN)" --all Misc/stable_abi.toml --platform all $(BASELINE_ARG)
endif

baseline-limited-abi: build
	cd $(TREE) && "$(BIN)" headers --platform all --write-baseline $(abspath $(HEADERS_BASELINE))

# The binary built above, copied to $(DESTDIR)$(PREFIX)/bin as `make install`
# does elsewhere: no second build, and no cargo bookkeeping files in PREFIX.
install: build
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$(BIN)" "$(DESTDIR)$(PREFIX)/bin/stable-abi$(EXE)"

# Timings and ratios against the reference tools where they are installed,
# of the build that ships; STABLE_ABI_CPYTHON=path measures another tree.
bench:
	$(CARGO) bench --locked --profile $(PROFILE)
