#!/usr/bin/env bash
# Starts the whole real stack on 127.0.0.1: PostgreSQL, Mattermost, Buildbot 4.x and 3.7.
# Idempotent: what already runs is left alone. Pass --fresh to start from empty state.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fresh=${1:-}
"$(dirname "$0")/postgres.sh" up $fresh
"$(dirname "$0")/mattermost.sh" up $fresh
"$(dirname "$0")/buildbot.sh" up all $fresh
log "stack is up; logs in $MMBB_LOGS"
