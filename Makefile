# Passaparola - developer entry points. On a fresh clone: `make run` and `make test`.
# Needs: make, a Python 3.11+ with venv (PY=python3.12 make ... to pick another), network
# access to PyPI for the first `make venv`. No Docker, no AWS account for run/test/build.

PY ?= python3
VENV := .venv
VENV_SAM := .venv-sam
VENV_CHECKOV := .venv-checkov
PORT ?= 3000
IAM_CALLS := .iam-calls

PYTHON := $(VENV)/bin/python
SAM := $(CURDIR)/$(VENV_SAM)/bin/sam
DEV_STAMP := $(VENV)/.requirements-dev.stamp
CLI_BIN := $(VENV)/bin/passaparola
SAM_STAMP := $(VENV_SAM)/.requirements-sam.stamp
CHECKOV_STAMP := $(VENV_CHECKOV)/.requirements-checkov.stamp

# sam: no telemetry prompt/banner; the makefile builds find the .venv-sam python (pip) first.
SAM_ENV := SAM_CLI_TELEMETRY=0 PATH="$(CURDIR)/$(VENV_SAM)/bin:$$PATH"

export PORT

.DEFAULT_GOAL := help

.PHONY: help venv venv-sam venv-checkov run test lint format validate build openapi openapi-check \
	iam-check job seed keys admin-user bench deploy storefront-upload clean \
	dynamodb-local run-dynamodb-local test-dynamodb-local fuzz \
	build-x86 run-build test-build build-check import-graph bundle-sizes smoke smoke-local

help: ## list targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

# ------------------------------------------------------------------ environments
venv: $(DEV_STAMP) $(CLI_BIN) ## dev virtualenv (.venv) from requirements-dev.txt, with the `passaparola` CLI

$(DEV_STAMP): requirements-dev.txt layers/deps/requirements.txt
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# the admin CLI (infra/cli/): a small script running `python -m infra.cli` from this checkout, no package install
$(CLI_BIN): infra/cli/passaparola | $(DEV_STAMP)
	install -m 755 infra/cli/passaparola $@

venv-sam: $(SAM_STAMP) ## SAM CLI + cfn-lint virtualenv (.venv-sam); kept apart: pins conflict with moto

$(SAM_STAMP): requirements-sam.txt
	test -x $(VENV_SAM)/bin/python || $(PY) -m venv $(VENV_SAM)
	$(VENV_SAM)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV_SAM)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	@# convenience: `sam` on the PATH of an activated .venv
	if [ -d $(VENV)/bin ]; then ln -sf ../../$(VENV_SAM)/bin/sam $(VENV)/bin/sam; fi
	touch $@

venv-checkov: $(CHECKOV_STAMP) ## checkov virtualenv (.venv-checkov); kept apart: pins conflict with aws-sam-cli

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(VENV_CHECKOV)/bin/python || $(PY) -m venv $(VENV_CHECKOV)
	$(VENV_CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV_CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# ------------------------------------------------------------------ everyday
run: venv ## local stack (Docker-free) on http://localhost:PORT (default 3000)
	$(PYTHON) -m infra.local

test: venv ## all tests (unit + integration), config in pyproject.toml; records the functions' AWS calls (iam-check)
	rm -rf $(IAM_CALLS)/test && mkdir -p $(IAM_CALLS)/test
	-git rev-parse HEAD > $(IAM_CALLS)/test/COMMIT 2>/dev/null
	PASSAPAROLA_IAM_RECORD=$(CURDIR)/$(IAM_CALLS)/test $(PYTHON) -m pytest

iam-check: venv venv-sam ## fail if a call make test and test-dynamodb-local (or test-build) recorded is not granted; list unused grants
	$(PYTHON) -m infra.tools.iam_check --calls $(IAM_CALLS) --require test dynamodb-local $(ARGS)

# ------------------------------------------------------------------ DynamoDB Local (npm + Java 17)
# Which integration tests test-dynamodb-local and test-build run: the whole suite, or the files or folders named
# (ARGS adds pytest options, e.g. ARGS="-k hot"; a path in ARGS would run beside the whole suite, not instead).
INTEGRATION ?= tests/integration
# A part records its calls apart: iam-check requires the whole suite's recording, not a part's.
IAM_DDB = $(IAM_CALLS)/$(if $(filter tests/integration,$(INTEGRATION)),dynamodb-local,dynamodb-local-part)
DDB_LOCAL_DIR := infra/dynamodb-local
DDB_LOCAL_JAR := $(DDB_LOCAL_DIR)/node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar
DYNAMODB_PORT ?= 8000

$(DDB_LOCAL_JAR): $(DDB_LOCAL_DIR)/package-lock.json
	cd $(DDB_LOCAL_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

dynamodb-local: venv $(DDB_LOCAL_JAR) ## AWS DynamoDB Local on DYNAMODB_PORT (8000), data kept in .dynamodb/
	$(PYTHON) -m infra.local.dynamodb_local --port $(DYNAMODB_PORT) --db-path .dynamodb

run-dynamodb-local: venv $(DDB_LOCAL_JAR) ## `make run` on DynamoDB Local: data in .dynamodb/ survives restarts
	$(PYTHON) -m infra.local.dynamodb_local --port $(DYNAMODB_PORT) --db-path .dynamodb -- $(PYTHON) -m infra.local

test-dynamodb-local: venv $(DDB_LOCAL_JAR) ## the integration suite on DynamoDB Local (in memory) instead of moto; a part: INTEGRATION=tests/integration/test_x.py
	rm -rf $(IAM_DDB) && mkdir -p $(IAM_DDB)
	-git rev-parse HEAD > $(IAM_DDB)/COMMIT 2>/dev/null
	PASSAPAROLA_IAM_RECORD=$(CURDIR)/$(IAM_DDB) PASSAPAROLA_TEST_DYNAMODB=local \
		$(PYTHON) -m pytest $(INTEGRATION) $(ARGS)

lint: venv ## ruff + mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/passaparola/passaparola functions infra

format: venv ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

openapi: venv ## regenerate docs/openapi.json
	$(PYTHON) -m infra.tools.openapi --write docs/openapi.json

openapi-check: venv ## fail if docs/openapi.json is stale
	$(PYTHON) -m infra.tools.openapi --check docs/openapi.json

fuzz: venv ## schemathesis against a fresh local stack: 5xx, schema, status or content-type mismatch fail (CI)
	$(PYTHON) -m infra.tools.fuzz $(ARGS)

job: venv ## run a background job locally: make job NAME=...
	$(PYTHON) -m infra.local.job $(NAME)

seed: venv ## load demo data into the local stack
	$(PYTHON) -m infra.local.seed

keys: venv ## API key CLI: make keys ARGS="create --kind secret --name shop"
	PYTHONPATH=layers/passaparola $(PYTHON) -m passaparola.api.keys $(ARGS)

admin-user: venv ## console user: make admin-user EMAIL=... ROLE=owner|marketer|support [PASSWORD=...] [STACK=deployed]
	PYTHONPATH=layers/passaparola $(PYTHON) -m infra.tools.admin_user --email "$(EMAIL)" --role "$(ROLE)" \
		--password "$(PASSWORD)" --stack "$(STACK)"

bench: venv ## benchmarks (not part of make test)
	$(PYTHON) -m bench

# ------------------------------------------------------------------ AWS
validate: venv-sam venv-checkov ## sam validate --lint (cfn-lint) and checkov (skips explained in .checkov.yaml)
	$(SAM_ENV) $(SAM) validate --lint
	$(VENV_CHECKOV)/bin/checkov --config-file .checkov.yaml

build: venv-sam ## sam build (makefile method, no Docker): arm64, python3.13, bytecode if a Python 3.13 is found (PYC_PYTHON)
	$(SAM_ENV) $(SAM) build

# x86_64 variants of `make build` (same requirements and makefiles, layers/deps/Makefile LAMBDA_PLATFORM and
# LAMBDA_PYTHON): the arm64 binary wheels of the deployed build cannot load on an x86 machine. Each variant has its
# own build and cache directory, so none is ever mistaken for the deployment build.
X86_PLATFORM := manylinux2014_x86_64
BUILD_LOCAL := .aws-sam/build-x86
BUILD_313 := .aws-sam/build-x86-py313
PY313 ?= $(shell PYENV_VERSION=3.13.0 pyenv which python 2>/dev/null || command -v python3.13)

# the cache is per Python version: sam's cache key is the source, not LAMBDA_PYTHON
build-x86: venv venv-sam ## sam build for x86_64 and the dev Python into .aws-sam/build-x86 (what run-build serves)
	v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') && \
		LAMBDA_PLATFORM=$(X86_PLATFORM) LAMBDA_PYTHON=$$v \
		$(SAM_ENV) $(SAM) build --build-dir $(BUILD_LOCAL) --cache-dir $(BUILD_LOCAL).cache-py$$v

run-build: build-x86 ## `make run` served from the built bundle (.aws-sam/build-x86), not the source tree
	LOCAL_BUILD_DIR=$(BUILD_LOCAL) $(PYTHON) -m infra.local

test-build: build-x86 $(DDB_LOCAL_JAR) ## the integration suite against the built bundle on DynamoDB Local: the nearest to a deployment here (INTEGRATION= as above)
	rm -rf $(IAM_DDB) && mkdir -p $(IAM_DDB)
	-git rev-parse HEAD > $(IAM_DDB)/COMMIT 2>/dev/null
	PASSAPAROLA_IAM_RECORD=$(CURDIR)/$(IAM_DDB) PASSAPAROLA_TEST_DYNAMODB=local \
		PASSAPAROLA_STACK_FROM_BUILD=$(BUILD_LOCAL) $(PYTHON) -m pytest $(INTEGRATION) $(ARGS)

build-check: venv venv-sam ## every function imports under Python 3.13 from its built artifact + layers only (x86_64 build)
	@test -x "$(PY313)" || { echo "no Python 3.13: set PY313=... (pyenv install 3.13.0)"; exit 2; }
	LAMBDA_PLATFORM=$(X86_PLATFORM) LAMBDA_PYTHON=3.13 PYC_PYTHON="$(PY313)" \
		$(SAM_ENV) $(SAM) build --build-dir $(BUILD_313) --cache-dir $(BUILD_313).cache
	$(PYTHON) -m infra.tools.build_check $(BUILD_313) --python "$(PY313)"

import-graph: build-check ## what each function loads on import, into docs/architecture.md (bench/importgraph.py)
	PY313="$(PY313)" $(PYTHON) -m bench.importgraph --write docs/architecture.md

bundle-sizes: build ## sizes of the deployment build's artifacts and layers, zipped and unzipped (docs/performance.md)
	$(PYTHON) -m infra.tools.bundle_sizes .aws-sam/build

smoke: venv ## check a deployment end to end: make smoke URL=https://... KEY=sk_... (creates, then disables, its data)
	$(PYTHON) -m infra.tools.smoke --url "$(URL)" --key "$(KEY)"

smoke-local: venv ## `make smoke` against a fresh `make run` (started and stopped here, with a secret key of its own)
	$(PYTHON) -m infra.tools.smoke --local

deploy: build ## sam deploy --guided (needs AWS credentials)
	$(SAM_ENV) $(SAM) deploy --guided

storefront-upload: venv ## upload passaparola.js to the deployed stack's CDN bucket: make storefront-upload STACK=...
	$(PYTHON) -m infra.tools.storefront --stack-name $(or $(STACK),passaparola)

clean: ## remove build output and caches (keeps the virtualenvs)
	rm -rf .aws-sam build .pytest_cache .mypy_cache .ruff_cache .hypothesis $(IAM_CALLS)
	find . -path ./$(VENV) -prune -o -path ./$(VENV_SAM) -prune -o \
		-name __pycache__ -type d -prune -exec rm -rf {} +
