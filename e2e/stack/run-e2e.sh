#!/usr/bin/env bash
# Starts the real stack and runs everything that needs it: the Buildbot client's contract tests (Go)
# against both masters, then the TypeScript end-to-end suite. The stack is stopped afterwards unless
# MMBB_KEEP_STACK=1; when anything fails, its logs are copied to e2e/artifacts/logs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$MMBB_REPO"

RESULTS=$MMBB_REPO/e2e/artifacts/jest-results.json
trap 'finish_suite $? "$RESULTS"' EXIT

# From empty state, so every run sees the same servers; a failed start is torn down like a failed test.
"$(dirname "$0")/up.sh" --fresh

# The contract tests refuse to skip when these are set, so a missing master fails the run.
MMBB_CONTRACT_BB4_URL=http://127.0.0.1:${MMBB_BB4_PORT:-28010}/ \
MMBB_CONTRACT_BB37_URL=http://127.0.0.1:${MMBB_BB37_PORT:-28020}/ \
	go test -count=1 -v -run '^TestContract' ./server/buildbot/

mkdir -p "$(dirname "$RESULTS")" && rm -f "$RESULTS"
npm test -w e2e -- --json --outputFile="$RESULTS"
