#!/usr/bin/env bash
# PostgreSQL from Debian's packages for the Mattermost server under test.
# Usage: postgres.sh install|up|down [--fresh]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PG_BIN=${MMBB_PG_BIN:-}
PG_DIR=$MMBB_STACK_DIR/postgres
PG_DATA=$PG_DIR/data
PG_USER=postgres

find_pg_bin() {
	[ -n "$PG_BIN" ] && return
	if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		log "installing PostgreSQL from Debian's packages"
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
	fi
	PG_BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
}

# PostgreSQL refuses to run as root, and CI runs as root: run it as the postgres user.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

ready() { as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$MMBB_PG_PORT"; }

up() {
	find_pg_bin
	if [ -f "$PG_DATA/postmaster.pid" ] && ready; then
		log "PostgreSQL already running on 127.0.0.1:$MMBB_PG_PORT"
		return
	fi
	if [ ! -f "$PG_DATA/PG_VERSION" ]; then
		mkdir -p "$PG_DATA"
		[ "$(id -u)" = 0 ] && chown -R "$PG_USER" "$PG_DIR"
		as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log"
	fi
	# The server runs as the postgres user, which may not write the logs folder: log beside the
	# data and link it there. The socket lives in the data folder so nothing touches the system's.
	ln -sf "$PG_DIR/postgres.log" "$MMBB_LOGS/postgres.log"
	# max_connections: two Mattermost servers of 100 connections each (mattermost.sh), and psql.
	# pg_stat_statements counts the queries each statement ran, for the bench's queries per tick.
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $MMBB_PG_PORT -k $PG_DATA -c fsync=off -c full_page_writes=off -c max_connections=250 -c shared_preload_libraries=pg_stat_statements" start >/dev/null
	wait_for 30 "PostgreSQL on 127.0.0.1:$MMBB_PG_PORT" ready || die "PostgreSQL did not start; see $PG_DIR/postgres.log"
	if ! as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$MMBB_PG_PORT" -U postgres -tAc "select 1 from pg_roles where rolname='mmuser'" | grep -q 1; then
		as_pg "$PG_BIN/psql" -q -h 127.0.0.1 -p "$MMBB_PG_PORT" -U postgres -c "create user mmuser with password 'mmuser-pass'" \
			-c "create database mattermost owner mmuser"
	fi
	as_pg "$PG_BIN/psql" -q -h 127.0.0.1 -p "$MMBB_PG_PORT" -U postgres -d mattermost -c "create extension if not exists pg_stat_statements"
}

down() {
	find_pg_bin
	if [ -f "$PG_DATA/postmaster.pid" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
		log "PostgreSQL stopped"
	fi
}

fresh() { down; rm -rf "$PG_DIR"; }

case "${1:-}" in
install) find_pg_bin ;;
up) [ "${2:-}" = --fresh ] && fresh; up ;;
down) down ;;
*) die "usage: $0 install|up|down [--fresh]" ;;
esac
