# Shared by the stack scripts: where things live and how to wait for them.
# Sourced, never run.

MMBB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MMBB_CACHE=${MMBB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mattermost-plugin-buildbot}
MMBB_STACK_DIR=${MMBB_STACK_DIR:-$MMBB_REPO/e2e/.stack}
MMBB_LOGS=$MMBB_STACK_DIR/logs

# Fixed ports sit below Linux's ephemeral range (32768-60999), so an outgoing connection of any
# program on the machine can never be holding one when a server starts.
MMBB_PG_PORT=${MMBB_PG_PORT:-25432}
MMBB_MM_PORT=${MMBB_MM_PORT:-28065}
MMBB_MM2_PORT=${MMBB_MM2_PORT:-28066}
MMBB_TOXI_PORT=${MMBB_TOXI_PORT:-28474}

mkdir -p "$MMBB_CACHE" "$MMBB_LOGS"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

# pid_alive FILE: the process recorded in FILE is still running.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for SECONDS WHAT COMMAND...: retry COMMAND every half second; on timeout, fail naming WHAT.
wait_for() {
	local seconds=$1 what=$2
	shift 2
	local deadline=$((SECONDS + seconds))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.5
	done
	log "$what is ready"
}

# stop_pidfile FILE NAME: TERM the process, then KILL it if it lingers; no-op when not running.
stop_pidfile() {
	local file=$1 name=$2 pid
	if pid_alive "$file"; then
		pid=$(cat "$file")
		log "stopping $name (pid $pid)"
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$file"
}

# finish_suite STATUS RESULTS [COMMAND...]: how a suite's run ends, whatever happened. COMMAND (a
# report of the run, which judges it too) runs first, and its failure fails the suite; on failure the
# stack's logs are kept in e2e/artifacts/logs; the stack goes down unless MMBB_KEEP_STACK=1; on
# failure the failed tests of RESULTS, Jest's JSON, are listed last, where a CI log's reader looks
# first. Exits with STATUS, or 1 when only the report failed.
finish_suite() {
	local status=$1 results=$2
	shift 2
	if [ "$#" != 0 ] && ! "$@" && [ "$status" = 0 ]; then
		log "the report of the run failed it"
		status=1
	fi
	if [ "$status" != 0 ]; then
		rm -rf e2e/artifacts/logs && mkdir -p e2e/artifacts && cp -rL "$MMBB_LOGS" e2e/artifacts/logs 2>/dev/null || true
		log "failed; stack logs copied to e2e/artifacts/logs"
	fi
	[ "${MMBB_KEEP_STACK:-0}" = 1 ] || "$(dirname "${BASH_SOURCE[0]}")/down.sh"
	[ "$status" = 0 ] || [ ! -f "$results" ] || npx tsx e2e/src/report_failures.ts "$results"
	exit "$status"
}
