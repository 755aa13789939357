# The two set-up commands (see README): `make demo` and `make test`. Both install what they need
# with apt (scripts/install-deps), build, and run.
PRESET ?= relwithdebinfo
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test unit-test e2e-test node-test bench demo demo-stop package clean \
	sanitize tsan-test asan-test fuzz fuzz-smoke

all: build

deps:
	scripts/install-deps

configure: deps
	cmake --preset $(PRESET)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test. Node tests need root and containerd; here a missing test bed is a failure, not a skip.
# Unit and e2e tests run in parallel (each e2e test starts its own cubelet-server on a free
# port); node tests are marked RUN_SERIAL and run alone.
TEST_JOBS ?= 3
test: build
	tests/testbed/testbed sweep
	CUBELET_REQUIRE_NODE_TESTS=1 ctest --test-dir $(BUILD_DIR) --output-on-failure --timeout 900 -j $(TEST_JOBS)
	tests/testbed/testbed sweep

unit-test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L unit -j $(TEST_JOBS)

e2e-test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L e2e -j $(TEST_JOBS)

node-test: build
	CUBELET_REQUIRE_NODE_TESTS=1 ctest --test-dir $(BUILD_DIR) --output-on-failure -L node

# The unit tests under ThreadSanitizer (preset tsan) and under AddressSanitizer with
# UndefinedBehaviorSanitizer (preset asan), each in its own build dir; any report fails the test.
# SANITIZE_TESTS is the agent core's and the parsers' unit tests: all 47 unit tests would take
# longer than the rest of CI. tests/tsan.supp names third-party frames only, never ours.
SANITIZE_TESTS ?= common_test api_test json_test kubeletconfig_test static_pods_test config_test \
	cri_test kuberuntime_test pleg_test probes_test status_test kubelet_loops_test workers_test \
	pod_sync_handler_test sysctl_admission_test httpserver_test storage_test storage_crash_test
TSAN_BUILD_DIR ?= build/tsan
ASAN_BUILD_DIR ?= build/asan
empty :=
space := $(empty) $(empty)
# ctest -R: exactly these names, for each build's own list.
sanitize_regex = ^($(subst $(space),|,$(strip $(1))))$$
TSAN_TESTS = $(SANITIZE_TESTS) tsan_annotations_test
TSAN_ENV = TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 suppressions=$(CURDIR)/tests/tsan.supp"
# A 64 MiB stack: at -O0 with ASan a frame is several times its normal size, and the parsers'
# tests nest to the depth limit (json: 10,000 levels, under 1 MiB in a RelWithDebInfo build,
# 16-32 MiB here).
ASAN_ENV = ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 check_initialization_order=1 strict_init_order=1" \
	UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1" LSAN_OPTIONS="suppressions=$(CURDIR)/tests/lsan.supp"

sanitize: tsan-test asan-test

tsan-test: deps
	cmake --preset tsan -B $(TSAN_BUILD_DIR)
	cmake --build $(TSAN_BUILD_DIR) -j $(JOBS) --target $(TSAN_TESTS)
	$(TSAN_ENV) ctest --test-dir $(TSAN_BUILD_DIR) --output-on-failure -L unit -R '$(call sanitize_regex,$(TSAN_TESTS))' -j $(TEST_JOBS)

asan-test: deps
	cmake --preset asan -B $(ASAN_BUILD_DIR)
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS) --target $(SANITIZE_TESTS)
	ulimit -s 65536 && $(ASAN_ENV) ctest --test-dir $(ASAN_BUILD_DIR) --output-on-failure -L unit -R '$(call sanitize_regex,$(SANITIZE_TESTS))' -j $(TEST_JOBS)

# Benchmarks against the raw runtime in the same run; tables in bench/results/.
bench: build
	$(BUILD_DIR)/bench/cubelet_bench $(BUILD_DIR)/src/cubelet bench/results/static_pods.md
	$(BUILD_DIR)/bench/cubelet_probe_bench $(BUILD_DIR)/src/cubelet bench/results/probes.md
	$(BUILD_DIR)/bench/cubelet_apiserver_bench $(BUILD_DIR)/src/cubelet-server bench/results/apiserver.md
	$(BUILD_DIR)/bench/cubelet_scheduler_bench bench/results/scheduler.md

# libFuzzer targets (tests/fuzz; clang-14 and libclang-rt-14-dev): the fuzz preset builds only the
# fuzzers and the libraries they link, then each runs FUZZ_SECONDS on a copy of its seed corpus.
# Fails when any fuzzer finds a crash, hang, leak or out-of-memory (inputs kept under
# FUZZ_BUILD_DIR/runs/<name>/artifacts). fuzz-smoke is the short run for CI.
FUZZ_SECONDS ?= 60
FUZZ_BUILD_DIR ?= build/fuzz
fuzz: deps
	cmake --preset fuzz -B $(FUZZ_BUILD_DIR)
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzzers
	tests/fuzz/run_fuzzers $(FUZZ_BUILD_DIR)/tests/fuzz $(FUZZ_SECONDS) $(FUZZ_BUILD_DIR)/runs

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

demo: build
	BUILD_DIR=$(BUILD_DIR) scripts/demo

demo-stop:
	scripts/demo stop

package: build
	cd $(BUILD_DIR) && cpack

clean:
	rm -rf build
