#!/usr/bin/env bash
# get-mysql.sh [DEST]: puts Oracle MySQL in DEST (default ~/.cache/dualpipe-mysql) without installing
# anything system-wide, so the test suite, `dualpipe db start --server mysql` and the benches can run
# on MySQL as well as MariaDB. Usage: `npm run get-mysql [-- DEST]`. Prints the server's version.
#
# How: Debian's unstable suite ships MySQL (`mysql-server-core`, 9.x today, the successor of the 8.4
# line). Its .deb files and all the libraries they need are downloaded with apt-get from the Debian
# archive this machine's apt already uses, into a private apt state (the system's package lists and
# status are left alone), unpacked with `dpkg -x` under DEST/root, and run through their own dynamic
# loader (`ld-linux … --library-path`), so the system's older glibc/libstdc++ never matter.
#
# Afterwards DEST/bin holds wrappers: mysqld, mysql, mysqlbinlog, mysqldump, mysqladmin. Each passes
# --no-defaults first (a system my.cnf, e.g. MariaDB's, must not leak in); mysqld also gets its own
# message, charset and plugin folders. A second run only prints the version (a cache). Needs
# Debian/Ubuntu on x86_64 with apt-get, dpkg and network access to the Debian archive.
set -euo pipefail

dest=$(realpath -m "${1:-${XDG_CACHE_HOME:-$HOME/.cache}/dualpipe-mysql}")
if [ -x "$dest/bin/mysqld" ] && "$dest/bin/mysqld" --version >/dev/null 2>&1; then
  "$dest/bin/mysqld" --version
  exit 0
fi
die() { echo "get-mysql: $*" >&2; exit 1; }
command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "needs apt-get and dpkg (Debian/Ubuntu)"
[ "$(uname -m)" = x86_64 ] || die "only x86_64 is supported (the loader path below is x86_64's)"

# The Debian mirror this machine already uses (deb822 .sources files or one-line .list files).
uri=$( (cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null || true) \
  | grep -E '^(URIs:|deb )' | grep -m1 -E '/debian/?( |$)' \
  | sed -E 's/^URIs: *//; s/^deb (\[[^]]*\] )?//; s/ .*$//' || true)
uri=${uri:-http://deb.debian.org/debian}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/out/root" "$work/out/bin"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main" >"$work/sources.list"
# A private apt: its own lists and cache, only the sid source above; the system's dpkg status is read
# (never written) so that apt-cache can resolve dependencies.
apto=(-o Dir::State="$work" -o Dir::State::Lists="$work/lists" -o Dir::State::status=/var/lib/dpkg/status
  -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::Cache="$work/cache"
  -o APT::Sandbox::User=root)
echo "get-mysql: reading the package list of $uri sid" >&2
apt-get "${apto[@]}" -qq update
# Every package the server and the client tools need, recursively. Perl and the Berkeley/GDBM
# databases are only needed by maintainer scripts and helpers that are not used here.
pkgs=$(apt-cache "${apto[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances mysql-server-core mysql-client-core \
  | grep -vE '^ |^<' | sort -u \
  | grep -vE '^(perl|perl-base|perl-modules-.*|libperl.*|libc-gconv-modules-extra|libdb5.*|libgdbm.*|libsasl2-modules-db|openssl-provider-legacy)$')
echo "get-mysql: downloading $(echo "$pkgs" | wc -l) packages" >&2
# shellcheck disable=SC2086 # one package name per word
(cd "$work/debs" && apt-get "${apto[@]}" -qq download $pkgs)
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$work/out/root"; done

# Build in $work/out, then move into place: an interrupted fetch never leaves a half-filled DEST.
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$work/out" "$dest"
root="$dest/root"
loader="$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
libs="$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu"
for tool in mysqld mysql mysqlbinlog mysqldump mysqladmin; do
  src="$root/usr/bin/$tool"
  extra=""
  if [ "$tool" = mysqld ]; then
    src="$root/usr/sbin/mysqld"
    extra="--lc-messages-dir=$root/usr/share/mysql --character-sets-dir=$root/usr/share/mysql/charsets --plugin-dir=$root/usr/lib/mysql/plugin"
  fi
  # MySQL accepts --no-defaults only as the very first option, so the wrapper puts it first and drops
  # a caller's own --no-defaults (dualpipe's embedded server passes one) instead of repeating it.
  printf '#!/bin/sh\n[ "${1:-}" = --no-defaults ] && shift\nexec "%s" --library-path "%s" "%s" --no-defaults %s "$@"\n' \
    "$loader" "$libs" "$src" "$extra" >"$dest/bin/$tool"
  chmod +x "$dest/bin/$tool"
done
"$dest/bin/mysqld" --version
