#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and lets user postgres
# in without a password (trust auth), as the PostgreSQL store tests expect.
#
#   already answering with trust auth  -> nothing to do (well under a second)
#   installed (Debian) but stopped     -> start the cluster
#   not installed                      -> apt-get install postgresql, start it
#   password required on 127.0.0.1     -> add a trust line for postgres, reload
#
# Idempotent. Needs root (or passwordless sudo) only when it has to install,
# start or reconfigure. Environment: SSL_PG_PORT (default 5432) and
# SSL_PG_CLUSTER (default main) choose another Debian cluster.
set -euo pipefail

host=127.0.0.1
port="${SSL_PG_PORT:-5432}"
cluster="${SSL_PG_CLUSTER:-main}"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# answers: does a server accept connections on host:port?
answers() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h "$host" -p "$port" -t 1
	elif command -v psql >/dev/null 2>&1; then
		# Any reply from a server, even an authentication failure, counts.
		local out
		out=$(PGCONNECT_TIMEOUT=1 psql -w -h "$host" -p "$port" -U postgres -d postgres -Atc 'SELECT 1' 2>&1) && return 0
		case "$out" in *"Connection refused"* | *timeout* | *"could not connect"* | *"the database system is starting up"*) return 1 ;; esac
		return 0
	else
		timeout 1 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
	fi
}

# trusted: can user postgres connect over TCP without a password?
trusted() {
	PGCONNECT_TIMEOUT=2 psql -w -h "$host" -p "$port" -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1
}

# as_root runs a command as root.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		die "need root to run: $*"
	fi
}

# as_postgres runs a command as the postgres system user (peer auth on the socket).
as_postgres() {
	if [ "$(id -un)" = postgres ]; then
		"$@"
	elif command -v runuser >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		as_root su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
	fi
}

# version prints the newest PostgreSQL major version whose server is installed
# (Debian layout: /usr/lib/postgresql/<version>/bin/postgres).
version() {
	local d v=
	for d in /usr/lib/postgresql/*/bin/postgres; do
		[ -x "$d" ] && v+="$(basename "$(dirname "$(dirname "$d")")")"$'\n'
	done
	printf '%s' "$v" | sort -V | tail -n1
}

# wait_ready waits up to 30 s for the server to accept connections.
wait_ready() {
	local i
	for i in $(seq 1 60); do
		answers && return 0
		sleep 0.5
	done
	return 1
}

if answers; then
	trusted && exit 0
	if ! command -v psql >/dev/null 2>&1; then
		log "a server answers on $host:$port; without psql its auth settings are not checked"
		exit 0
	fi
fi

if ! answers; then
	if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(version)" ]; then
		log "PostgreSQL is not installed: installing it (apt-get)"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
	fi
	v=$(version)
	[ -n "$v" ] || die "PostgreSQL was installed but no version is found under /usr/lib/postgresql"
	if [ ! -d "/etc/postgresql/$v/$cluster" ]; then
		log "creating cluster $v/$cluster on port $port"
		as_root pg_createcluster "$v" "$cluster" -p "$port" >/dev/null
	fi
	if ! answers; then
		log "starting cluster $v/$cluster"
		# "already running" (another port, a race with the package's own start) is not fatal:
		# wait_ready decides.
		as_root pg_ctlcluster --skip-systemctl-redirect "$v" "$cluster" start || true
	fi
	wait_ready || die "PostgreSQL does not answer on $host:$port after starting cluster $v/$cluster"
fi

if ! trusted; then
	log "enabling trust auth for user postgres from $host"
	hba=$(as_postgres psql -p "$port" -Atc 'SHOW hba_file') || die "cannot ask the server for its pg_hba.conf (as user postgres over the socket)"
	line="host all postgres $host/32 trust"
	if ! as_root grep -qxF "$line" "$hba"; then
		# pg_hba.conf is read top-down and the first match wins: put the line first.
		tmp=$(mktemp)
		{
			printf '# added by tools/postgres.sh (terraform-provider-ssl tests)\n%s\n' "$line"
			as_root cat "$hba"
		} >"$tmp"
		as_root sh -c "cat '$tmp' > '$hba'"
		rm -f "$tmp"
	fi
	as_postgres psql -p "$port" -Atqc 'SELECT pg_reload_conf()' >/dev/null
	for _ in $(seq 1 20); do
		trusted && break
		sleep 0.25
	done
	trusted || die "user postgres still cannot connect to $host:$port without a password; check $hba"
fi
log "PostgreSQL answers on $host:$port (user postgres, trust auth)"
