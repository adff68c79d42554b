#!/bin/sh
# Throwaway PostgreSQL 15 server for the API tests: loopback only, trust auth, fsync off.
# Usage:
#   pg-test.sh start DIR          start a server whose state lives in DIR; prints the URL of
#                                 database fanghu_test (waits until the server accepts connections)
#   pg-test.sh createdb DIR NAME  create database NAME on that server; prints its URL
#   pg-test.sh url DIR [NAME]     print the URL of database NAME (default fanghu_test)
#   pg-test.sh stop DIR           stop the server and delete its files
# Run as root (CI), the server runs as the unprivileged `postgres` user (PostgreSQL refuses root).
set -eu

PGBIN=${PGBIN:-}
if [ -z "$PGBIN" ]; then
	for v in 15 16 17 14 13; do
		if [ -x "/usr/lib/postgresql/$v/bin/postgres" ]; then PGBIN=/usr/lib/postgresql/$v/bin; break; fi
	done
fi
[ -n "$PGBIN" ] && [ -x "$PGBIN/postgres" ] || { echo "pg-test: no PostgreSQL server binaries found (set PGBIN)" >&2; exit 2; }
PSQL=$PGBIN/psql
[ -x "$PSQL" ] || PSQL=psql

# A stray PG* environment must not redirect our client calls.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE PGSSLMODE PGOPTIONS 2>/dev/null || true
export PGCONNECT_TIMEOUT=5

die() { echo "pg-test: $*" >&2; exit 1; }

usage() {
	echo "usage: $0 start DIR | stop DIR | createdb DIR NAME | url DIR [NAME]" >&2
	exit 2
}

# Run a command as the server's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		if command -v runuser >/dev/null 2>&1; then
			runuser -u postgres -- "$@"
		else
			# su needs a single command string; quote every argument.
			cmd=""
			for a in "$@"; do cmd="$cmd '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"; done
			su -s /bin/sh postgres -c "$cmd"
		fi
	else
		"$@"
	fi
}

free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	elif command -v node >/dev/null 2>&1; then
		node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
	else
		# Random high port; start retries if it is taken.
		echo $(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
	fi
}

valid_name() {
	case $1 in
		''|[0-9]*|*[!a-z0-9_]*) die "database name must match [a-z_][a-z0-9_]*: $1" ;;
	esac
	[ ${#1} -le 63 ] || die "database name too long: $1"
}

url_of() { # DIR NAME
	echo "postgresql://postgres@127.0.0.1:$(cat "$1/port")/$2"
}

cluster_of() { # DIR
	[ -f "$1/cluster" ] || die "no server state in $1 (run: $0 start $1)"
	cat "$1/cluster"
}

cmd_start() {
	dir=$1
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/cluster" ] && [ -f "$(cat "$dir/cluster")/data/postmaster.pid" ]; then
		die "a server already runs for $dir (stop it first)"
	fi
	# The cluster lives in its own directory owned by the server user. When running as root the
	# caller's DIR may sit under a path postgres cannot traverse (/root/...), so the cluster goes
	# to a fresh directory under /tmp and DIR just records where it is.
	if [ "$(id -u)" -eq 0 ]; then
		getent passwd postgres >/dev/null || die "system user postgres missing (apt-get install postgresql)"
		cluster=$(mktemp -d "${PG_TEST_TMP:-/tmp}/fanghu-pg.XXXXXX")
		chown postgres: "$cluster"
		chmod 700 "$cluster"
	else
		cluster=$dir/pg
		mkdir -p "$cluster"
		chmod 700 "$cluster"
	fi
	echo "$cluster" >"$dir/cluster"

	as_owner "$PGBIN/initdb" -D "$cluster/data" -U postgres -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=reject --no-sync </dev/null >"$dir/initdb.log" 2>&1 ||
		as_owner "$PGBIN/initdb" -D "$cluster/data" -U postgres -E UTF8 --locale=C \
			--auth-local=trust --auth-host=reject --no-sync </dev/null >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }

	# Loopback only, trust; the Unix socket sits in the cluster directory, closed to others.
	as_owner sh -c "cat >'$cluster/data/pg_hba.conf'" <<-'EOF'
	local all all trust
	host  all all 127.0.0.1/32 trust
	EOF
	as_owner sh -c "cat >>'$cluster/data/postgresql.conf'" <<-EOF
	listen_addresses = '127.0.0.1'
	unix_socket_directories = '$cluster'
	unix_socket_permissions = 0700
	fsync = off
	synchronous_commit = off
	full_page_writes = off
	max_connections = 300
	shared_buffers = 64MB
	max_wal_size = 1GB
	logging_collector = off
	log_min_messages = warning
	timezone = 'Asia/Shanghai'
	EOF

	tries=0
	while :; do
		tries=$((tries + 1))
		port=$(free_port)
		echo "$port" >"$dir/port"
		if as_owner "$PGBIN/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
			-o "-p $port" start </dev/null >"$dir/pg_ctl.log" 2>&1; then
			break
		fi
		if [ $tries -ge 5 ]; then
			cat "$dir/pg_ctl.log" "$cluster/server.log" >&2 2>/dev/null || true
			die "server did not start"
		fi
		sleep 0.3
	done

	# Ready means: accepts a query over TCP.
	i=0
	until "$PSQL" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtqc 'select 1' >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "server started but does not answer on 127.0.0.1:$port"
		sleep 0.1
	done
	create_db "$dir" fanghu_test
	url_of "$dir" fanghu_test
}

create_db() { # DIR NAME
	valid_name "$2"
	"$PSQL" -h 127.0.0.1 -p "$(cat "$1/port")" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 \
		-c "SET client_min_messages TO warning" \
		-c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" \
		-c "CREATE DATABASE \"$2\" TEMPLATE template0 ENCODING 'UTF8'" >/dev/null ||
		die "could not create database $2"
}

cmd_createdb() {
	dir=$1 name=$2
	cluster_of "$dir" >/dev/null
	create_db "$dir" "$name"
	url_of "$dir" "$name"
}

cmd_stop() {
	dir=$1
	[ -f "$dir/cluster" ] || { echo "pg-test: nothing to stop in $dir" >&2; return 0; }
	cluster=$(cat "$dir/cluster")
	if [ -f "$cluster/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$cluster/data" -m fast -w -t 30 stop </dev/null >/dev/null 2>&1 ||
			as_owner "$PGBIN/pg_ctl" -D "$cluster/data" -m immediate -w -t 30 stop </dev/null >/dev/null 2>&1 ||
			{
				# Last resort: the postmaster pid we started (first line of postmaster.pid).
				pid=$(head -n1 "$cluster/data/postmaster.pid" 2>/dev/null || true)
				[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
			}
	fi
	case $cluster in
		*/fanghu-pg.*|"$dir/pg") rm -rf "$cluster" ;;
	esac
	rm -f "$dir/cluster" "$dir/port" "$dir/initdb.log" "$dir/pg_ctl.log"
	rmdir "$dir" 2>/dev/null || true
}

[ $# -ge 2 ] || usage
case $1 in
	start) [ $# -eq 2 ] || usage; cmd_start "$2" ;;
	stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
	createdb) [ $# -eq 3 ] || usage; cmd_createdb "$2" "$3" ;;
	url) cluster_of "$2" >/dev/null; valid_name "${3:-fanghu_test}"; url_of "$2" "${3:-fanghu_test}" ;;
	*) usage ;;
esac
