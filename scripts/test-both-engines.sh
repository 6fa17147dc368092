#!/usr/bin/env bash
# npm test: the suite on the embedded engine, then the tests that drive the assistant again on PostgreSQL
# (ava.config.js lists them). Arguments go to both runs (CI passes --tap); fails if either run failed.
set -uo pipefail
echo "── embedded engine (data file) ──"
ava "$@"
embedded=$?
echo "── PostgreSQL (embedded-postgres) ──"
ASSISTANT_TEST_ENGINE=postgres ava "$@"
postgres=$?
exit $(( embedded != 0 || postgres != 0 ))
