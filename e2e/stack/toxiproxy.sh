#!/usr/bin/env bash
# Toxiproxy, Shopify's fault-injecting TCP proxy, built from the Go module proxy and cached like the
# Mattermost binary. The fault tests put it between the plugin and Buildbot and drive it through its
# HTTP API (e2e/src/toxiproxy.ts).
# Usage: toxiproxy.sh build|up|down
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VERSION=v2.5.0
BIN_DIR=$MMBB_CACHE/toxiproxy-$VERSION
BIN=$BIN_DIR/toxiproxy-server
RUN_DIR=$MMBB_STACK_DIR/toxiproxy
PIDFILE=$RUN_DIR/toxiproxy.pid
URL=http://127.0.0.1:$MMBB_TOXI_PORT

build() {
	[ -x "$BIN" ] && return
	log "building Toxiproxy $VERSION (once; cached in $BIN_DIR)"
	rm -rf "$BIN_DIR.tmp" && mkdir -p "$BIN_DIR.tmp"
	GOBIN=$BIN_DIR.tmp CGO_ENABLED=0 go install -trimpath "github.com/Shopify/toxiproxy/v2/cmd/server@$VERSION" \
		>"$MMBB_LOGS/toxiproxy-build.log" 2>&1 || { tail -n 30 "$MMBB_LOGS/toxiproxy-build.log"; die "building Toxiproxy failed"; }
	mv "$BIN_DIR.tmp/server" "$BIN_DIR.tmp/toxiproxy-server"
	rm -rf "$BIN_DIR" && mv "$BIN_DIR.tmp" "$BIN_DIR"
}

ping() { curl -fsS -m 2 "$URL/version" >/dev/null; }

up() {
	build
	if pid_alive "$PIDFILE" && ping; then
		log "Toxiproxy already running at $URL"
		return
	fi
	stop_pidfile "$PIDFILE" toxiproxy
	mkdir -p "$RUN_DIR"
	nohup "$BIN" -host 127.0.0.1 -port "$MMBB_TOXI_PORT" >"$MMBB_LOGS/toxiproxy.log" 2>&1 &
	echo $! >"$PIDFILE"
	wait_for 30 "Toxiproxy at $URL" ping || { tail -n 20 "$MMBB_LOGS/toxiproxy.log"; die "Toxiproxy did not start"; }
}

down() { stop_pidfile "$PIDFILE" toxiproxy; }

case "${1:-}" in
build) build ;;
up) up ;;
down) down ;;
*) die "usage: $0 build|up|down" ;;
esac
