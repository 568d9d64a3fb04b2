# Entry points on a fresh Debian 12 machine (the first two are the README's commands):
#   make run   install dependencies if missing, build Release, run the main job
#   make test  install dependencies if missing, build (ci preset), run the default test suite
#   make install-python  build Release and install the Python package knntune (docs/python.md)
JOBS ?= $(shell nproc)
CONFIG ?= configs/online-retail.yaml

.PHONY: run test deps build-release build-ci install-python clean

deps:
	./scripts/install-deps.sh

build-release: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

build-ci: deps
	cmake --preset ci
	cmake --build --preset ci -j $(JOBS)

run: build-release
	./build/release/experiments/knntune run $(CONFIG)

test: build-ci
	ctest --preset ci -j $(JOBS)

install-python: build-release
	cmake --install build/release --component python

clean:
	rm -rf build
