#!/usr/bin/env bash
# `make test-faults`: the real stack from empty state plus Toxiproxy (and, started by the tests, a
# second Mattermost server), then the fault tests of e2e/faults/, then the fault table with a result
# per row. MMBB_SOAK_MINUTES sets the soak (30 by default). The stack is stopped afterwards unless
# MMBB_KEEP_STACK=1; when anything fails, its logs are copied to e2e/artifacts/logs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$MMBB_REPO"

RESULTS=$MMBB_REPO/e2e/artifacts/faults-results.json
trap 'finish_suite $? "$RESULTS" npx tsx e2e/src/fault_table.ts "$RESULTS"' EXIT

mkdir -p e2e/artifacts && rm -f "$RESULTS" e2e/artifacts/faults-measured.jsonl
"$(dirname "$0")/up.sh" --fresh
"$(dirname "$0")/toxiproxy.sh" up
(cd e2e && npx jest -c jest.faults.config.js --runInBand --json --outputFile="$RESULTS")
