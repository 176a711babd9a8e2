#!/usr/bin/env bash
# Real Buildbot masters, each with one local worker, on 127.0.0.1 for the e2e suite:
#   4    Buildbot 4.3.0 from PyPI, in a venv cached outside the repo (keyed by its constraints file)
#   3.7  Debian's buildbot 3.7 package, with a stub web UI (Debian ships no buildbot-www)
#
# Usage: buildbot.sh up|down|status [4|3.7|all] [--fresh]      (default: all)
#   up      installs what is missing, starts what is not running, and returns once the web server
#           answers and the worker is connected. Does nothing when both already hold.
#   down    stops the master and worker; succeeds when nothing runs. Keeps state and logs.
#   status  one line per master; exit status 1 when any of them is not up.
#   --fresh (or MMBB_FRESH=1) wipes the master's and worker's state (db, builds, logs) before `up`.
#
# Environment: MMBB_BB4_PORT (web, default 28010), MMBB_BB4_PB_PORT (worker protocol, 28011),
# MMBB_BB37_PORT (28020), MMBB_BB37_PB_PORT (28021), MMBB_BB_TIMEOUT (seconds `up` waits, 120),
# MMBB_CACHE and MMBB_STACK_DIR (see lib.sh). State: $MMBB_STACK_DIR/buildbot-{4,3.7}/{master,worker};
# logs: $MMBB_STACK_DIR/logs/buildbot-*.log (links to the twistd logs).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")/buildbot" && pwd)
BB4_VERSION=4.3.0
CONSTRAINTS=$HERE/constraints-4.txt
# A changed pin gets a new venv instead of being layered onto an old one.
VENV=$MMBB_CACHE/buildbot-venv-$BB4_VERSION-$(sha256sum "$CONSTRAINTS" | cut -c1-12)
TIMEOUT=${MMBB_BB_TIMEOUT:-120}
WORKER_NAME=local-worker
WORKER_PASS=worker-pass # also in master.cfg

usage() { die "usage: $0 up|down|status [4|3.7|all] [--fresh]"; }

# Sets, for one version: the ports, URL, state dir, commands and the PYTHONPATH they need.
version_vars() {
	case $1 in
	4)
		WWW_PORT=${MMBB_BB4_PORT:-28010} PB_PORT=${MMBB_BB4_PB_PORT:-28011}
		BUILDBOT=$VENV/bin/buildbot WORKER=$VENV/bin/buildbot-worker PYPATH=""
		;;
	3.7)
		# Debian's scripts start with #!/usr/bin/python3, so they never see the pyenv python.
		WWW_PORT=${MMBB_BB37_PORT:-28020} PB_PORT=${MMBB_BB37_PB_PORT:-28021}
		BUILDBOT=/usr/bin/buildbot WORKER=/usr/bin/buildbot-worker PYPATH=$HERE/stub-www
		;;
	*) usage ;;
	esac
	DIR=$MMBB_STACK_DIR/buildbot-$1
	URL=http://127.0.0.1:$WWW_PORT/
}

install_4() {
	# The marker is written last, so an interrupted install is redone rather than half used.
	[ -f "$VENV/.complete" ] && return
	local py=${MMBB_PYTHON:-python3}
	"$py" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || die "Buildbot $BB4_VERSION needs Python >= 3.9 ($py is older)"
	log "creating the Buildbot $BB4_VERSION venv (once; cached in $VENV)"
	rm -rf "$VENV"
	"$py" -m venv "$VENV"
	"$VENV/bin/pip" install -q --disable-pip-version-check --no-input -c "$CONSTRAINTS" \
		"buildbot==$BB4_VERSION" "buildbot-www==$BB4_VERSION" "buildbot-worker==$BB4_VERSION" \
		>"$MMBB_LOGS/buildbot-4-pip.log" 2>&1 ||
		{ tail -n 20 "$MMBB_LOGS/buildbot-4-pip.log" >&2; rm -rf "$VENV"; die "installing Buildbot $BB4_VERSION failed (log: $MMBB_LOGS/buildbot-4-pip.log)"; }
	touch "$VENV/.complete"
}

deb_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

install_37() {
	if ! deb_installed buildbot || ! deb_installed buildbot-worker; then
		[ "$(id -u)" = 0 ] || die "Debian's buildbot and buildbot-worker are missing; install them as root: apt-get install buildbot buildbot-worker"
		# Installing starts no master: the package creates no instance (/etc/default/buildbot has
		# MASTER_ENABLED=0 and the systemd unit is a template, buildbot@.service, with none enabled).
		# The port check in up_one would catch anything else on our ports.
		log "installing Debian's buildbot and buildbot-worker"
		local apt="apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold buildbot buildbot-worker"
		# Package lists can be missing or stale on a fresh machine: update once and retry.
		{ DEBIAN_FRONTEND=noninteractive $apt </dev/null ||
			{ apt-get update -q && DEBIAN_FRONTEND=noninteractive $apt </dev/null; }; } >"$MMBB_LOGS/buildbot-3.7-apt.log" 2>&1 ||
			{ tail -n 20 "$MMBB_LOGS/buildbot-3.7-apt.log" >&2; die "installing Debian's buildbot failed"; }
	fi
	local v
	v=$(/usr/bin/python3 -c 'import buildbot; print(buildbot.version)')
	case $v in 3.7.*) ;; *) die "Debian's buildbot is $v, not 3.7" ;; esac
}

# Runs buildbot / buildbot-worker with what master.cfg reads. PYTHONNOUSERSITE keeps packages in
# ~/.local out of both versions.
bb() {
	env PYTHONPATH="$PYPATH" PYTHONNOUSERSITE=1 \
		MMBB_BB_WWW_PORT="$WWW_PORT" MMBB_BB_PB_PORT="$PB_PORT" MMBB_BB_URL="$URL" "$@"
}

# twistd_pid DIR: prints the pid of the twistd running in DIR. A pid file left by a crash or a reboot
# may name an unrelated process by now; twistd runs in its base dir, so its cwd tells them apart.
twistd_pid() {
	local pid
	[ -f "$1/twistd.pid" ] || return 1
	pid=$(cat "$1/twistd.pid")
	kill -0 "$pid" 2>/dev/null || return 1
	[ "$(readlink "/proc/$pid/cwd")" = "$(cd "$1" && pwd -P)" ] || return 1
	echo "$pid"
}

# stop_twistd DIR NAME: TERM (what `buildbot stop` sends), wait, then KILL: a master still shutting
# down would hold its ports against the next start.
stop_twistd() {
	local pid
	pid=$(twistd_pid "$1") || { rm -f "$1/twistd.pid"; return 0; }
	log "stopping $2 (pid $pid)"
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$1/twistd.pid"
}

www_up() { curl -fsS -m 2 -H 'Accept: application/json' "${URL}api/v2/masters" >/dev/null; }
worker_connected() {
	curl -fsS -m 2 -H 'Accept: application/json' "${URL}api/v2/workers?name=$WORKER_NAME" | tr -d '[:space:]' | grep -q '"connected_to":\[{'
}
healthy() { twistd_pid "$DIR/master" >/dev/null && twistd_pid "$DIR/worker" >/dev/null && www_up && worker_connected; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# fail_up VERSION WHY: the error, with the end of both logs, so CI output shows the cause.
fail_up() {
	local f
	for f in "$DIR/master/twistd.log" "$DIR/worker/twistd.log"; do
		[ -f "$f" ] && { printf -- '--- last lines of %s\n' "$f" >&2; tail -n 30 "$f" >&2; }
	done
	die "Buildbot $1: $2 (logs in $MMBB_LOGS)"
}

up_one() {
	version_vars "$1"
	"install_${1/./}"
	if healthy; then
		log "Buildbot $1 already running at $URL"
		return
	fi
	down_one "$1" # a half-running pair (master without worker, hung web server) starts over
	local port
	for port in "$WWW_PORT" "$PB_PORT"; do
		port_busy "$port" && die "Buildbot $1: port $port on 127.0.0.1 is taken by another program (see: ss -ltnp 'sport = :$port')"
	done
	if [ ! -f "$DIR/master/buildbot.tac" ]; then
		mkdir -p "$DIR"
		rm -rf "$DIR/master" "$DIR/worker"
		# -r: the tac file finds its base dir relative to itself, so the stack dir may be moved.
		bb "$BUILDBOT" create-master -q -r "$DIR/master" >/dev/null
		bb "$WORKER" create-worker -q -r "$DIR/worker" "127.0.0.1:$PB_PORT" "$WORKER_NAME" "$WORKER_PASS" >/dev/null
	fi
	# Copied on every start, so edits to the template take effect without --fresh.
	cp "$HERE/master.cfg" "$DIR/master/master.cfg"
	ln -sfn "$DIR/master/twistd.log" "$MMBB_LOGS/buildbot-$1-master.log"
	ln -sfn "$DIR/worker/twistd.log" "$MMBB_LOGS/buildbot-$1-worker.log"

	log "starting Buildbot $1 at $URL"
	local deadline=$((SECONDS + TIMEOUT))
	# `buildbot start` follows twistd.log until the master is configured, and fails on a bad config.
	bb "$BUILDBOT" start "$DIR/master" </dev/null >"$MMBB_LOGS/buildbot-$1-start.log" 2>&1 ||
		fail_up "$1" "the master did not start"
	bb "$WORKER" start "$DIR/worker" </dev/null >>"$MMBB_LOGS/buildbot-$1-start.log" 2>&1 ||
		fail_up "$1" "the worker did not start"
	until www_up; do
		[ "$SECONDS" -lt "$deadline" ] || fail_up "$1" "no answer at ${URL}api/v2/masters after ${TIMEOUT}s"
		sleep 0.5
	done
	until worker_connected; do
		[ "$SECONDS" -lt "$deadline" ] || fail_up "$1" "worker $WORKER_NAME not connected after ${TIMEOUT}s"
		sleep 0.5
	done
	log "Buildbot $1 is up at $URL (worker connected)"
}

down_one() {
	version_vars "$1"
	# By pid rather than with `buildbot stop`, so it works even when the venv or package is gone.
	stop_twistd "$DIR/worker" "Buildbot $1 worker"
	stop_twistd "$DIR/master" "Buildbot $1 master"
}

status_one() {
	version_vars "$1"
	if ! twistd_pid "$DIR/master" >/dev/null; then
		echo "Buildbot $1: stopped"
		return 1
	elif ! www_up; then
		echo "Buildbot $1: master running but no answer at $URL"
		return 1
	elif ! worker_connected; then
		echo "Buildbot $1: running at $URL, worker NOT connected"
		return 1
	fi
	echo "Buildbot $1: running at $URL, worker connected"
}

action=${1:-}
[ $# -gt 0 ] && shift
which=all
fresh=${MMBB_FRESH:-0}
for arg in "$@"; do
	case $arg in
	--fresh) fresh=1 ;;
	4 | 3.7 | all) which=$arg ;;
	*) usage ;;
	esac
done
case $which in all) versions="4 3.7" ;; *) versions=$which ;; esac

rc=0
for v in $versions; do
	case $action in
	up)
		if [ "$fresh" = 1 ]; then
			down_one "$v"
			log "wiping Buildbot $v state in $MMBB_STACK_DIR/buildbot-$v"
			rm -rf "$MMBB_STACK_DIR/buildbot-$v"
		fi
		up_one "$v"
		;;
	down) down_one "$v" ;;
	status) status_one "$v" || rc=1 ;;
	*) usage ;;
	esac
done
exit "$rc"
