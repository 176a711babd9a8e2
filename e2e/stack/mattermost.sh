#!/usr/bin/env bash
# A real Mattermost server (Team Edition) built from the Go module proxy, on the stack's PostgreSQL.
# Usage: mattermost.sh build|up|down [--fresh]
#   build  only makes sure the cached binary exists (the slow part, done once per pinned version)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WRAPPER=$MMBB_REPO/build/mattermost-server
# The cache key covers the pinned versions and every checksum, so a new pin builds a new binary.
KEY=$(cat "$WRAPPER/go.mod" "$WRAPPER/go.sum" | sha256sum | cut -c1-12)
SERVER_VERSION=$(awk '$1 == "github.com/mattermost/mattermost/server/v8" {print $2}' "$WRAPPER/go.mod")
MM_HOME=$MMBB_CACHE/mattermost-$KEY
MM_BIN=$MM_HOME/bin/mattermost
RUN_DIR=$MMBB_STACK_DIR/mattermost
PIDFILE=$RUN_DIR/mattermost.pid

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

ping() { curl -fsS -m 2 "$MMBB_MM_URL/api/v4/system/ping" | grep -q '"status":"OK"'; }

up() {
	build
	if pid_alive "$PIDFILE" && ping; then
		log "Mattermost already running at $MMBB_MM_URL"
		return
	fi
	stop_pidfile "$PIDFILE" mattermost
	mkdir -p "$RUN_DIR/data" "$RUN_DIR/plugins" "$RUN_DIR/client/plugins" "$RUN_DIR/config"
	log "starting Mattermost at $MMBB_MM_URL"
	(
		cd "$MM_HOME"
		export MM_CONFIG=$RUN_DIR/config/config.json
		export MM_SQLSETTINGS_DRIVERNAME=postgres
		export MM_SQLSETTINGS_DATASOURCE="postgres://mmuser:mmuser-pass@127.0.0.1:$MMBB_PG_PORT/mattermost?sslmode=disable&connect_timeout=10"
		export MM_SERVICESETTINGS_SITEURL=$MMBB_MM_URL
		export MM_SERVICESETTINGS_LISTENADDRESS=127.0.0.1:$MMBB_MM_PORT
		export MM_SERVICESETTINGS_ENABLELOCALMODE=true
		export MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION=$RUN_DIR/mattermost_local.socket
		export MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false
		export MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION=true
		export MM_PLUGINSETTINGS_ENABLE=true
		export MM_PLUGINSETTINGS_ENABLEUPLOADS=true
		export MM_PLUGINSETTINGS_REQUIREPLUGINSIGNATURE=false
		export MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS=false
		export MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false
		export MM_PLUGINSETTINGS_DIRECTORY=$RUN_DIR/plugins
		export MM_PLUGINSETTINGS_CLIENTDIRECTORY=$RUN_DIR/client/plugins
		export MM_FILESETTINGS_DIRECTORY=$RUN_DIR/data
		export MM_LOGSETTINGS_FILELOCATION=$MMBB_LOGS
		export MM_LOGSETTINGS_CONSOLELEVEL=ERROR
		export MM_LOGSETTINGS_FILELEVEL=DEBUG
		export MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false
		export MM_RATELIMITSETTINGS_ENABLE=false
		export MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false
		export MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION=false
		export MM_TEAMSETTINGS_ENABLEOPENSERVER=true
		export MM_METRICSSETTINGS_ENABLE=false
		nohup "$MM_BIN" server >"$MMBB_LOGS/mattermost-stdout.log" 2>&1 &
		echo $! >"$PIDFILE"
	)
	# The first start creates the whole schema, which takes a while on 2 cores.
	wait_for 300 "Mattermost at $MMBB_MM_URL" ping || {
		tail -n 30 "$MMBB_LOGS/mattermost-stdout.log" "$MMBB_LOGS/mattermost.log" 2>/dev/null
		die "Mattermost did not answer /api/v4/system/ping"
	}
}

down() { stop_pidfile "$PIDFILE" mattermost; }

case "${1:-}" in
build) build ;;
up) [ "${2:-}" = --fresh ] && { down; rm -rf "$RUN_DIR"; }; up ;;
down) down ;;
*) die "usage: $0 build|up|down [--fresh]" ;;
esac
