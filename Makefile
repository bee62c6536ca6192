# Thin wrapper over meson/ninja. Everything installs what it needs first
# (devtools/bootstrap.sh, idempotent and quiet when all is there).
BUILD ?= build
BUILD_ASAN ?= build-asan
MESON_OPTS ?=

.PHONY: all bootstrap build test test-quick demo install bench bench-quick doc soak fuzz clean

all: build

bootstrap:
	@./devtools/bootstrap.sh

$(BUILD)/build.ninja:
	@meson setup $(BUILD) $(MESON_OPTS) >/dev/null || meson setup --reconfigure $(BUILD) $(MESON_OPTS)

build: bootstrap $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)

# The whole suite: unit, in-process PMD, end-to-end with dpdk-testpmd,
# then the sanitizer build and bounded fuzzing.
test: build
	@./test/run-tests.sh

# Same without the sanitizer pass and fuzzing.
test-quick: build
	@TPK_QUICK=1 ./test/run-tests.sh

demo: build
	@./devtools/demo.sh

install: build
	@meson install -C $(BUILD) --quiet

bench: build
	@./app/tpacket-bench/tpacket-bench

bench-quick: build
	@./app/tpacket-bench/tpacket-bench --quick

doc: bootstrap
	@BOOTSTRAP_EXTRA="python3-sphinx" ./devtools/bootstrap.sh
	@sphinx-build -q -W -b html doc doc/_build/html && echo "doc: doc/_build/html/index.html"

soak: build
	@./test/soak.sh

fuzz: bootstrap
	@./test/fuzz/run-fuzz.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz
