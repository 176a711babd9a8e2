#!/usr/bin/env bash
# A real Mattermost server (Team Edition) built from the Go module proxy, on the stack's PostgreSQL.
# Usage: mattermost.sh build|up|down|kill [1|2] [--fresh]
#   build  only makes sure the cached binary exists (the slow part, done once per pinned version)
#   up 2   a second server of the same build on its own port, sharing the database, the settings
#          (kept in the database, not in a file) and the file store: the two-server tests
#   kill   kill -9, as a crashed server
# Node 1 is the default; --fresh (node 1 only) drops both nodes' state.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WRAPPER=$MMBB_REPO/build/mattermost-server
# The cache key covers the pinned versions and every checksum, so a new pin builds a new binary.
KEY=$(cat "$WRAPPER/go.mod" "$WRAPPER/go.sum" | sha256sum | cut -c1-12)
SERVER_VERSION=$(awk '$1 == "github.com/mattermost/mattermost/server/v8" {print $2}' "$WRAPPER/go.mod")
MM_HOME=$MMBB_CACHE/mattermost-$KEY
MM_BIN=$MM_HOME/bin/mattermost
DATA_DIR=$MMBB_STACK_DIR/mattermost/data
NODE=1
FRESH=
for arg in "${@:2}"; do
	case "$arg" in
	1 | 2) NODE=$arg ;;
	--fresh) FRESH=1 ;;
	*) die "unknown argument: $arg" ;;
	esac
done
if [ "$NODE" = 1 ]; then
	RUN_DIR=$MMBB_STACK_DIR/mattermost PORT=$MMBB_MM_PORT NODE_LOGS=$MMBB_LOGS
else
	RUN_DIR=$MMBB_STACK_DIR/mattermost2 PORT=$MMBB_MM2_PORT NODE_LOGS=$MMBB_LOGS/mattermost2
fi
URL=http://127.0.0.1:$PORT
PIDFILE=$RUN_DIR/mattermost.pid
DSN="postgres://mmuser:mmuser-pass@127.0.0.1:$MMBB_PG_PORT/mattermost?sslmode=disable&connect_timeout=10"

build() {
	[ -x "$MM_BIN" ] && return
	log "building Mattermost $SERVER_VERSION (once; cached in $MM_HOME)"
	local tmp=$MM_HOME.tmp
	rm -rf "$tmp" && mkdir -p "$tmp/bin"
	# The mattermost/mattermost modules are not in the public checksum database the proxy here
	# answers for; go.sum (committed) pins their hashes instead.
	(cd "$WRAPPER" && GONOSUMDB=github.com/mattermost/mattermost GOFLAGS=-mod=readonly CGO_ENABLED=0 \
		go build -trimpath -o "$tmp/bin/mattermost" github.com/mattermost/mattermost/server/v8/cmd/mattermost) \
		>"$MMBB_LOGS/mattermost-build.log" 2>&1 || { tail -n 30 "$MMBB_LOGS/mattermost-build.log"; die "building Mattermost failed"; }
	# The server finds i18n/, templates/ and fonts/ beside its binary's folder.
	local src
	src=$(cd "$WRAPPER" && GONOSUMDB=github.com/mattermost/mattermost go list -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8)
	cp -r "$src/i18n" "$src/templates" "$src/fonts" "$tmp/"
	chmod -R u+w "$tmp"
	rm -rf "$MM_HOME" && mv "$tmp" "$MM_HOME"
}

ping() { curl -fsS -m 2 "$URL/api/v4/system/ping" | grep -q '"status":"OK"'; }

up() {
	build
	if pid_alive "$PIDFILE" && ping; then
		log "Mattermost $NODE already running at $URL"
		return
	fi
	stop_pidfile "$PIDFILE" "mattermost $NODE"
	mkdir -p "$DATA_DIR" "$RUN_DIR/plugins" "$RUN_DIR/client/plugins" "$NODE_LOGS"
	log "starting Mattermost $NODE at $URL"
	(
		cd "$MM_HOME"
		# Settings live in the database, so both nodes start from the same ones.
		export MM_CONFIG=$DSN
		export MM_SQLSETTINGS_DRIVERNAME=postgres
		export MM_SQLSETTINGS_DATASOURCE=$DSN
		# Two servers' pools must fit in PostgreSQL's 250 connections (postgres.sh).
		export MM_SQLSETTINGS_MAXOPENCONNS=100
		export MM_SERVICESETTINGS_SITEURL=$URL
		export MM_SERVICESETTINGS_LISTENADDRESS=127.0.0.1:$PORT
		export MM_SERVICESETTINGS_ENABLELOCALMODE=true
		export MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION=$RUN_DIR/mattermost_local.socket
		export MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false
		export MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION=true
		# make deploy's e2e test signs in with a personal access token, as an admin's script would.
		export MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true
		export MM_PLUGINSETTINGS_ENABLE=true
		export MM_PLUGINSETTINGS_ENABLEUPLOADS=true
		export MM_PLUGINSETTINGS_REQUIREPLUGINSIGNATURE=false
		export MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS=false
		export MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false
		export MM_PLUGINSETTINGS_DIRECTORY=$RUN_DIR/plugins
		export MM_PLUGINSETTINGS_CLIENTDIRECTORY=$RUN_DIR/client/plugins
		export MM_FILESETTINGS_DIRECTORY=$DATA_DIR
		export MM_LOGSETTINGS_FILELOCATION=$NODE_LOGS
		export MM_LOGSETTINGS_CONSOLELEVEL=ERROR
		export MM_LOGSETTINGS_FILELEVEL=DEBUG
		export MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false
		export MM_RATELIMITSETTINGS_ENABLE=false
		export MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false
		export MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION=false
		export MM_TEAMSETTINGS_ENABLEOPENSERVER=true
		# The load test puts 50 users and more in one team; the default allows 50.
		export MM_TEAMSETTINGS_MAXUSERSPERTEAM=1000
		export MM_METRICSSETTINGS_ENABLE=false
		nohup "$MM_BIN" server >"$NODE_LOGS/mattermost-stdout.log" 2>&1 &
		echo $! >"$PIDFILE"
	)
	# The first start creates the whole schema, which takes a while on 2 cores.
	wait_for 300 "Mattermost $NODE at $URL" ping || {
		tail -n 30 "$NODE_LOGS/mattermost-stdout.log" "$NODE_LOGS/mattermost.log" 2>/dev/null
		die "Mattermost $NODE did not answer /api/v4/system/ping"
	}
}

down() { stop_pidfile "$PIDFILE" "mattermost $NODE"; }

crash() {
	if pid_alive "$PIDFILE"; then
		log "kill -9 of Mattermost $NODE (pid $(cat "$PIDFILE"))"
		kill -9 "$(cat "$PIDFILE")"
		# Its plugin processes are orphaned, not killed: a crashed server's plugins die with it.
		pkill -9 -f "$RUN_DIR/plugins/" || true
	fi
	rm -f "$PIDFILE"
}

case "${1:-}" in
build) build ;;
up)
	if [ -n "$FRESH" ]; then
		[ "$NODE" = 1 ] || die "--fresh is for node 1: it drops both nodes' state"
		"$0" down 2
		down
		rm -rf "$RUN_DIR" "$MMBB_STACK_DIR/mattermost2"
	fi
	up
	;;
down) down ;;
kill) crash ;;
*) die "usage: $0 build|up|down|kill [1|2] [--fresh]" ;;
esac
