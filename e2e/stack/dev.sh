#!/usr/bin/env bash
# `make dev`: the real stack with the freshly built plugin installed, left running.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$(dirname "$0")/up.sh"
cd "$MMBB_REPO" && npx tsx e2e/src/dev.ts
