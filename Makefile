# The two set-up commands (see README): `make demo` and `make test`. Both install what they need
# with apt (scripts/install-deps), build, and run.
PRESET ?= relwithdebinfo
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test unit-test e2e-test node-test bench demo demo-stop package clean

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

# Benchmarks against the raw runtime in the same run; tables in bench/results/.
bench: build
	$(BUILD_DIR)/bench/cubelet_bench $(BUILD_DIR)/src/cubelet bench/results/static_pods.md
	$(BUILD_DIR)/bench/cubelet_probe_bench $(BUILD_DIR)/src/cubelet bench/results/probes.md
	$(BUILD_DIR)/bench/cubelet_apiserver_bench $(BUILD_DIR)/src/cubelet-server bench/results/apiserver.md
	$(BUILD_DIR)/bench/cubelet_scheduler_bench bench/results/scheduler.md

demo: build
	BUILD_DIR=$(BUILD_DIR) scripts/demo

demo-stop:
	scripts/demo stop

package: build
	cd $(BUILD_DIR) && cpack

clean:
	rm -rf build
