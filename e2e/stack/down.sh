#!/usr/bin/env bash
# Stops everything up.sh started. Idempotent; keeps state and logs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$(dirname "$0")/buildbot.sh" down all || true
"$(dirname "$0")/buildbot.sh" down big || true
"$(dirname "$0")/toxiproxy.sh" down || true
"$(dirname "$0")/mattermost.sh" down 2 || true
"$(dirname "$0")/mattermost.sh" down || true
"$(dirname "$0")/postgres.sh" down || true
