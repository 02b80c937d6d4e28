#!/usr/bin/env bash
# Installs the ipcscope .deb in a clean Debian root and runs it there: --version, list --json
# (with /proc mounted) and the probe lookup (probe list, then a real probe run from libexec).
#
#   deb_chroot_test.sh DEB VERSION CACHE_DIR
#   deb_chroot_test.sh --prepare CACHE_DIR   (only make the cached clean root; ./dev.sh test does
#                                            this in the background while it compiles)
#
# The clean root is a minbase debootstrap of the release this machine runs, from the Debian
# archive its apt sources name. It is made once and kept in CACHE_DIR/base; every run installs
# into a throwaway overlay on top of it, so the cached root stays clean and a rerun skips
# debootstrap. Downloaded packages are kept in CACHE_DIR/archives for the same reason.
set -euo pipefail
prepare_only=0
if [ "${1:-}" = --prepare ]; then
  prepare_only=1
  deb="" version="" cache_arg=${2:?usage: deb_chroot_test.sh --prepare CACHE_DIR}
else
  deb=$1 version=$2 cache_arg=$3
fi
mkdir -p "$cache_arg"
cache=$(cd "$cache_arg" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "needs root (debootstrap, chroot, mount)"; exit 1; }
[ $prepare_only -eq 1 ] || [ -f "$deb" ] || { echo "no package at $deb"; exit 1; }
command -v debootstrap >/dev/null || { echo "debootstrap is not installed"; exit 1; }

codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
# The Debian archives this machine installs from, for this release (main, updates, security).
mapfile -t sources < <(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
  awk -v c="$codename" '$2 == c || $2 == c"-updates" || $2 == c"-security"' | sort -u)
mirror=$(printf '%s\n' "${sources[@]}" | awk -v c="$codename" '$2 == c { print $1; exit }')
[ -n "$mirror" ] || { echo "no apt source of $codename on this machine"; exit 1; }

base=$cache/base
mkdir -p "$cache/archives/partial"
exec 9>"$cache/lock"
flock -w 1200 9 || { echo "another run holds $cache/lock"; exit 1; }
if [ ! -f "$base/.ipcscope-ready" ]; then
  echo "== debootstrap --variant=minbase $codename from $mirror (once; cached in $base)"
  start=$(date +%s)
  rm -rf "$base"
  timeout 1200 debootstrap --variant=minbase --cache-dir="$cache/archives" "$codename" "$base" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log"; exit 1; }
  printf 'deb %s\n' "${sources[@]}" >"$base/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"$base/usr/sbin/policy-rc.d"  # start no services
  chmod 755 "$base/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$base/etc/resolv.conf"
  timeout 600 chroot "$base" apt-get update -qq
  touch "$base/.ipcscope-ready"
  echo "   made in $(( $(date +%s) - start )) s"
fi
[ $prepare_only -eq 0 ] || exit 0

run=$(mktemp -d "$cache/run.XXXXXX")
root=$run/root
mounted=()
cleanup() {
  local i
  for (( i = ${#mounted[@]} - 1; i >= 0; i-- )); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  rm -rf "$run"
}
trap cleanup EXIT
mkdir -p "$root" "$run/upper" "$run/work"
if mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root" 2>/dev/null; then
  mounted+=("$root")
else
  cp -a "$base/." "$root/"  # no overlayfs here: a copy does the same, slower
fi
mount -t proc proc "$root/proc"; mounted+=("$root/proc")
mount --bind "$cache/archives" "$root/var/cache/apt/archives"; mounted+=("$root/var/cache/apt/archives")
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/ipcscope.deb"

fail=0
check() {  # check DESCRIPTION COMMAND...: runs COMMAND, reports, remembers a failure
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
in_root() { timeout 120 chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

echo "== apt-get install ./ipcscope.deb (its dependencies come from the archive)"
start=$(date +%s)
in_root apt-get install -y -qq --no-install-recommends /tmp/ipcscope.deb >"$run/install.log" 2>&1 ||
  { tail -30 "$run/install.log"; exit 1; }
echo "   installed in $(( $(date +%s) - start )) s"

out=$(in_root ipcscope --version) || true
check "ipcscope --version prints 'ipcscope $version' (got '$out')" test "$out" = "ipcscope $version"

for f in /usr/bin/ipcscope /usr/libexec/ipcscope/ipcscope-full /usr/libexec/ipcscope/ipcscope-probe-shm /usr/libexec/ipcscope/ipcscope-probe-pipe \
         /usr/libexec/ipcscope/ipcscope-probe-socket /usr/share/man/man1/ipcscope.1.gz \
         /usr/share/bash-completion/completions/ipcscope /usr/share/zsh/vendor-completions/_ipcscope \
         /usr/share/fish/vendor_completions.d/ipcscope.fish /usr/share/applications/ipcscope.desktop \
         /usr/share/icons/hicolor/scalable/apps/ipcscope.svg /usr/share/doc/ipcscope/copyright; do
  check "installed $f" test -e "$root$f"
done

# A FIFO held by a process in the root: list --json must report it with its holder.
in_root sh -c 'mkfifo /tmp/ipcscope-test-fifo && exec sleep 30 3<>/tmp/ipcscope-test-fifo' &
holder=$!
for _ in $(seq 50); do [ -p "$root/tmp/ipcscope-test-fifo" ] && break; sleep 0.1; done
sleep 0.3
rc=0; in_root ipcscope list --json >"$run/list.json" 2>"$run/list.err" || rc=$?
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
check "ipcscope list --json exits 0 (stderr: $(head -c 300 "$run/list.err"))" test $rc -eq 0
check "list --json names the platform linux" grep -q '"platform": "linux"' "$run/list.json"
check "list --json reports the FIFO held in the root" grep -q '"name": "/tmp/ipcscope-test-fifo"' "$run/list.json"

# The GUI is ipcscope-full, which ipcscope executes from libexec; with no display it says so.
rc=0; in_root ipcscope gui >"$run/gui.txt" 2>&1 || rc=$?
check "ipcscope gui runs ipcscope-full, which finds no display (exit $rc: $(head -c 300 "$run/gui.txt"))" \
  grep -q 'no display' "$run/gui.txt"

rc=0; in_root ipcscope probe list >"$run/probes.txt" 2>&1 || rc=$?
cat "$run/probes.txt"
check "probe list finds every probe (exit $rc)" test $rc -eq 0
check "probe list finds them in /usr/libexec/ipcscope" grep -q ' /usr/libexec/ipcscope/ipcscope-probe-pipe$' "$run/probes.txt"
rc=0; in_root ipcscope probe run pipe --bytes 8M --seconds 20 --json >"$run/probe.json" 2>&1 || rc=$?
check "probe run pipe from libexec exits 0 (exit $rc)" test $rc -eq 0
check "probe run pipe moved every byte" grep -q '"complete": true' "$run/probe.json"
[ $fail -eq 0 ] || { echo "--- list.json (head)"; head -c 2000 "$run/list.json"; cat "$run/probe.json"; }
exit $fail
