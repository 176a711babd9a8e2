#!/usr/bin/env bash
# Real Buildbot masters, each with one local worker, for the e2e suite:
#   4  Buildbot 4.3.0 from PyPI, in a venv cached outside the repo (keyed by its constraints file)
#   3.7  Debian's buildbot 3.7 package, with a stub web UI (Debian ships no buildbot-www)
#   big  the benchmarks' master of 1,000 builders (big.cfg), on Buildbot 4.3.0; never part of all
# Usage: buildbot.sh up|down|status [4|3.7|big|all] [--fresh]
#        buildbot.sh worker-stop|worker-start 4|3.7   (a worker going away and coming back, for tests)
#        buildbot.sh parked-start|parked-stop 4|3.7   (parked-worker connects at last: its builds run; and goes again)
#        buildbot.sh reporters 4 FILE                 (the benchmarks' webhook reporters, FILE as in master.cfg)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")/buildbot" && pwd)
CONSTRAINTS=$HERE/constraints-4.txt
VENV=$MMBB_CACHE/buildbot-venv-4.3.0-$(sha256sum "$CONSTRAINTS" | cut -c1-12)

# Per version: web port, worker (PB) port, and the buildbot / buildbot-worker commands.
version_vars() {
	case $1 in
	4)
		WWW_PORT=${MMBB_BB4_PORT:-28010} PB_PORT=${MMBB_BB4_PB_PORT:-28011}
		BUILDBOT=$VENV/bin/buildbot WORKER=$VENV/bin/buildbot-worker PYPATH="" CFG=$HERE/master.cfg
		;;
	big)
		WWW_PORT=${MMBB_BBBIG_PORT:-28030} PB_PORT=${MMBB_BBBIG_PB_PORT:-28031}
		BUILDBOT=$VENV/bin/buildbot WORKER=$VENV/bin/buildbot-worker PYPATH="" CFG=$HERE/big.cfg
		;;
	3.7)
		WWW_PORT=${MMBB_BB37_PORT:-28020} PB_PORT=${MMBB_BB37_PB_PORT:-28021}
		BUILDBOT=/usr/bin/buildbot WORKER=/usr/bin/buildbot-worker PYPATH=$HERE/stub-www CFG=$HERE/master.cfg
		;;
	*) die "unknown Buildbot version '$1' (4, 3.7 or big)" ;;
	esac
	DIR=$MMBB_STACK_DIR/buildbot-$1
	URL=http://127.0.0.1:$WWW_PORT/
}

install() {
	case $1 in
	4 | big)
		# The marker is written last, so an interrupted install is redone rather than half used.
		[ -f "$VENV/.complete" ] && return
		log "creating the Buildbot 4.3.0 venv (once; cached in $VENV)"
		rm -rf "$VENV"
		python3 -m venv "$VENV"
		"$VENV/bin/pip" install -q --disable-pip-version-check -c "$CONSTRAINTS" \
			buildbot==4.3.0 buildbot-www==4.3.0 buildbot-worker==4.3.0 >"$MMBB_LOGS/buildbot-4-pip.log" 2>&1 ||
			{ tail -n 20 "$MMBB_LOGS/buildbot-4-pip.log"; rm -rf "$VENV"; die "installing Buildbot 4.3.0 failed"; }
		touch "$VENV/.complete"
		;;
	3.7)
		[ -x /usr/bin/buildbot ] && [ -x /usr/bin/buildbot-worker ] && return
		log "installing Debian's buildbot and buildbot-worker"
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildbot buildbot-worker >"$MMBB_LOGS/buildbot-3.7-apt.log" 2>&1 ||
			{ tail -n 20 "$MMBB_LOGS/buildbot-3.7-apt.log"; die "installing Debian's buildbot failed"; }
		;;
	esac
}

# Runs buildbot / buildbot-worker with what master.cfg reads.
bb() {
	env PYTHONPATH="$PYPATH" MMBB_BB_WWW_PORT="$WWW_PORT" MMBB_BB_PB_PORT="$PB_PORT" MMBB_BB_URL="$URL" "$@"
}

www_up() { curl -fsS -m 2 "${URL}api/v2/masters" >/dev/null; }
worker_gone() { www_up && ! worker_connected; }
worker_connected() { curl -fsS -m 2 "${URL}api/v2/workers" | tr -d '[:space:]' | grep -q '"connected_to":\[{'; }
running() { [ -f "$DIR/master/twistd.pid" ] && kill -0 "$(cat "$DIR/master/twistd.pid")" 2>/dev/null; }

up_one() {
	version_vars "$1"
	install "$1"
	if running && www_up && worker_connected; then
		log "Buildbot $1 already running at $URL"
		return
	fi
	down_one "$1" >/dev/null
	if [ ! -f "$DIR/master/buildbot.tac" ]; then
		mkdir -p "$DIR"
		bb "$BUILDBOT" create-master -q -r "$DIR/master" >/dev/null
	fi
	# The worker's config holds the master's port, which may have moved since: make it anew.
	rm -rf "$DIR/worker"
	bb "$WORKER" create-worker -q "$DIR/worker" "127.0.0.1:$PB_PORT" local-worker worker-pass >/dev/null
	cp "$CFG" "$DIR/master/master.cfg"
	ln -sf "$DIR/master/twistd.log" "$MMBB_LOGS/buildbot-$1-master.log"
	ln -sf "$DIR/worker/twistd.log" "$MMBB_LOGS/buildbot-$1-worker.log"
	log "starting Buildbot $1 at $URL"
	# `buildbot start` and `buildbot-worker start` give up watching after 10 s and then exit non-zero,
	# though the process goes on starting: on a loaded machine a master took 22 s. Judge by answers.
	bb "$BUILDBOT" start "$DIR/master" >"$MMBB_LOGS/buildbot-$1-start.log" 2>&1 || true
	bb "$WORKER" start --quiet "$DIR/worker" >/dev/null 2>&1 || true
	wait_for 120 "Buildbot $1 web server" www_up || { tail -n 30 "$DIR/master/twistd.log"; die "Buildbot $1 does not answer at $URL"; }
	wait_for 120 "Buildbot $1 worker" worker_connected || { tail -n 30 "$DIR/worker/twistd.log"; die "the Buildbot $1 worker did not connect"; }
}

down_one() {
	version_vars "$1"
	[ -x "$BUILDBOT" ] || return 0
	[ -f "$DIR/worker/twistd.pid" ] && bb "$WORKER" stop "$DIR/worker" >/dev/null 2>&1 || true
	[ -f "$DIR/parked-worker/twistd.pid" ] && bb "$WORKER" stop "$DIR/parked-worker" >/dev/null 2>&1 || true
	running || return 0
	local pid
	pid=$(cat "$DIR/master/twistd.pid")
	bb "$BUILDBOT" stop "$DIR/master" >/dev/null 2>&1 || true
	# `buildbot stop` gives up after a few seconds; a master still shutting down would hold its ports.
	for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	kill -9 "$pid" 2>/dev/null || true
	log "Buildbot $1 stopped"
}

worker_stop() {
	version_vars "$1"
	bb "$WORKER" stop "$DIR/worker" >/dev/null 2>&1 || true
	wait_for 60 "Buildbot $1 to see its worker gone" worker_gone || die "Buildbot $1 still lists its worker as connected"
}

worker_start() {
	version_vars "$1"
	bb "$WORKER" start --quiet "$DIR/worker" >/dev/null 2>&1 || true
	wait_for 120 "Buildbot $1 worker" worker_connected || { tail -n 30 "$DIR/worker/twistd.log"; die "the Buildbot $1 worker did not connect"; }
}

parked_start() {
	version_vars "$1"
	if [ ! -f "$DIR/parked-worker/buildbot.tac" ]; then
		bb "$WORKER" create-worker -q "$DIR/parked-worker" "127.0.0.1:$PB_PORT" parked-worker parked-pass >/dev/null
	fi
	bb "$WORKER" start --quiet "$DIR/parked-worker" >/dev/null 2>&1 || true
}

parked_gone() { curl -fsS -m 2 "${URL}api/v2/workers?name=parked-worker" | tr -d '[:space:]' | grep -q '"connected_to":\[\]'; }

parked_stop() {
	version_vars "$1"
	[ -f "$DIR/parked-worker/twistd.pid" ] && bb "$WORKER" stop "$DIR/parked-worker" >/dev/null 2>&1 || true
	local deadline=$((SECONDS + 60))
	until parked_gone; do
		[ "$SECONDS" -lt "$deadline" ] || die "Buildbot $1 still sees parked-worker after 60 s"
		sleep 0.5
	done
}

# The reporters teams use today, on the 4.x master: HttpStatusPush (in Buildbot) and
# buildbot-mattermost-reporter (pinned, installed into the venv beside Buildbot).
reporters() {
	[ "$1" = 4 ] || die "the benchmarks' reporters run on Buildbot 4 only"
	version_vars 4
	"$VENV/bin/python" -c 'import buildbot_mattermost' 2>/dev/null ||
		"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps buildbot-mattermost-reporter==0.2.0 >"$MMBB_LOGS/buildbot-4-reporter-pip.log" 2>&1 ||
		{ tail -n 20 "$MMBB_LOGS/buildbot-4-reporter-pip.log"; die "installing buildbot-mattermost-reporter failed"; }
	cp "$2" "$DIR/master/reporters.json"
	bb "$BUILDBOT" reconfig "$DIR/master" >"$MMBB_LOGS/buildbot-4-reconfig.log" 2>&1 ||
		{ tail -n 20 "$MMBB_LOGS/buildbot-4-reconfig.log"; die "Buildbot 4 did not take the reporters"; }
}

status_one() {
	version_vars "$1"
	if running && www_up; then
		echo "Buildbot $1: running at $URL (worker $(worker_connected && echo connected || echo 'not connected'))"
	else
		echo "Buildbot $1: stopped"
	fi
}

action=${1:-}
which=${2:-all}
fresh=${3:-}
[ "$which" = --fresh ] && { which=all; fresh=--fresh; }
case $which in all) versions="4 3.7" ;; 4 | 3.7 | big) versions=$which ;; *) die "usage: $0 up|down|status [4|3.7|big|all] [--fresh]" ;; esac

for v in $versions; do
	case $action in
	up)
		if [ "$fresh" = --fresh ] || [ "${MMBB_FRESH:-0}" = 1 ]; then
			down_one "$v"
			rm -rf "$MMBB_STACK_DIR/buildbot-$v"
		fi
		up_one "$v"
		;;
	down) down_one "$v" ;;
	status) status_one "$v" ;;
	worker-stop) worker_stop "$v" ;;
	parked-start) parked_start "$v" ;;
	parked-stop) parked_stop "$v" ;;
	reporters) reporters "$v" "${3:?the reporters file}" ;;
	worker-start) worker_start "$v" ;;
	*) die "usage: $0 up|down|status [4|3.7|big|all] [--fresh]" ;;
	esac
done
