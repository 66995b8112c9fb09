#!/bin/bash
# Entrypoint of the MariaDB stand-in image (mariadb.Containerfile). It does, in a few lines, the
# part of the official image's entrypoint that the StatefulSet's `mariadb` container relies on:
#   - on an empty data directory: create the system tables, set the root password from
#     MARIADB_ROOT_PASSWORD_FILE (root@localhost and root@%), and run /docker-entrypoint-initdb.d
#     (*.sh sourced unless executable, *.sql fed to the client) on a private server with Galera
#     off and no network, with the helper functions those scripts may call;
#   - then exec the command (mariadbd), which reads /etc/mysql/conf.d/galera.cnf last.
# It runs as the uid it is started with (the pod's runAsUser), never switching users.
# MARIADB_AUTO_UPGRADE is accepted and ignored: a stand-in is never upgraded.
set -eo pipefail
shopt -s nullglob

mysql_note() { printf '%s [Note] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*"; }
mysql_error() { printf '%s [ERROR] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*" >&2; exit 1; }

# Doubles backslashes and escapes single quotes, so the value can sit between '...' in SQL.
docker_sql_escape_string_literal() {
  local value=$1
  value=${value//\\/\\\\}
  value=${value//$'\n'/\\n}
  value=${value//\'/\\\'}
  printf '%s\n' "$value"
}

# SQL on stdin (or -e) as root over the private server's socket; extra client options in "$@".
docker_process_sql() {
  MYSQL_PWD=${root_password:-} mariadb --no-defaults --protocol=socket --socket="$init_socket" -uroot "$@"
}

if [ "${1#-}" != "$1" ]; then
  set -- mariadbd "$@"
fi

if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
  datadir=$("$@" --verbose --help 2>/dev/null | awk '$1 == "datadir" { print $2; exit }')
  datadir=${datadir:-/var/lib/mysql}
  if [ ! -d "$datadir/mysql" ]; then
    if [ -n "${MARIADB_ROOT_PASSWORD_FILE:-}" ]; then
      root_password=$(cat "$MARIADB_ROOT_PASSWORD_FILE") || mysql_error "cannot read MARIADB_ROOT_PASSWORD_FILE $MARIADB_ROOT_PASSWORD_FILE"
    else
      root_password=${MARIADB_ROOT_PASSWORD:-}
    fi
    [ -n "$root_password" ] || mysql_error "the data directory is empty: set MARIADB_ROOT_PASSWORD_FILE (or MARIADB_ROOT_PASSWORD)"
    mysql_note "initialising $datadir"
    mariadb-install-db --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal \
      --wsrep-on=OFF --skip-log-bin >/dev/null
    init_socket=/run/mysqld/entrypoint-init.sock
    # the private server: Galera off, no TCP, its own socket
    "$@" --wsrep-on=OFF --skip-networking --socket="$init_socket" --skip-log-bin &
    init_pid=$!
    for _ in $(seq 1 300); do
      if MYSQL_PWD='' mariadb-admin --no-defaults --socket="$init_socket" -uroot ping >/dev/null 2>&1; then
        break
      fi
      kill -0 "$init_pid" 2>/dev/null || mysql_error "the private server for initialisation stopped"
      sleep 0.1
    done
    escaped=$(docker_sql_escape_string_literal "$root_password")
    saved_password=$root_password
    root_password=''
    docker_process_sql <<EOSQL
SET @@SESSION.SQL_LOG_BIN=0;
DROP USER IF EXISTS ''@'localhost', ''@'$(hostname)';
ALTER USER 'root'@'localhost' IDENTIFIED BY '$escaped';
CREATE USER 'root'@'%' IDENTIFIED BY '$escaped';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
EOSQL
    root_password=$saved_password
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sh)
          if [ -x "$f" ]; then
            mysql_note "running $f"
            "$f"
          else
            mysql_note "sourcing $f"
            # shellcheck disable=SC1090
            . "$f"
          fi
          ;;
        *.sql) mysql_note "running $f"; docker_process_sql <"$f" ;;
        *) mysql_note "ignoring $f" ;;
      esac
    done
    MYSQL_PWD=$root_password mariadb-admin --no-defaults --socket="$init_socket" -uroot shutdown
    wait "$init_pid" || true
    unset root_password saved_password escaped
    mysql_note "initialised $datadir; starting $1"
  fi
fi
exec "$@"
