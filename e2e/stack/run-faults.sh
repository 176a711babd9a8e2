#!/usr/bin/env bash
# `make test-faults`: the real stack from empty state plus Toxiproxy (and, started by the tests, a
# second Mattermost server), then the fault tests of e2e/faults/, then the fault table with a result
# per row. MMBB_SOAK_MINUTES sets the soak (30 by default). The stack is stopped afterwards unless
# MMBB_KEEP_STACK=1; when anything fails, its logs are copied to e2e/artifacts/logs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$MMBB_REPO"

RESULTS=$MMBB_REPO/e2e/artifacts/faults-results.json
finish() {
	local status=$?
	if [ "$status" != 0 ]; then
		rm -rf e2e/artifacts/logs && mkdir -p e2e/artifacts && cp -rL "$MMBB_LOGS" e2e/artifacts/logs 2>/dev/null || true
		log "failed; stack logs copied to e2e/artifacts/logs"
	fi
	[ "${MMBB_KEEP_STACK:-0}" = 1 ] || "$(dirname "$0")/down.sh"
	npx tsx e2e/src/fault_table.ts "$RESULTS" || true
	[ "$status" = 0 ] || [ ! -f "$RESULTS" ] || npx tsx e2e/src/report_failures.ts "$RESULTS"
	exit "$status"
}
trap finish EXIT

mkdir -p e2e/artifacts && rm -f "$RESULTS" e2e/artifacts/faults-measured.jsonl
"$(dirname "$0")/up.sh" --fresh
"$(dirname "$0")/toxiproxy.sh" up
(cd e2e && npx jest -c jest.faults.config.js --runInBand --json --outputFile="$RESULTS")
