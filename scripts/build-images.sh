#!/usr/bin/env bash
# Builds the two images of docker/ (README there) with podman, without any registry: the base
# images the Dockerfiles name are made here as local stand-ins and tagged with those names, and
# every build runs with --pull=never.
#
#   debian:<tag>-slim          debootstrap of Debian 12 (minbase), with its updates and security
#                              suites, imported into podman
#   eclipse-temurin:<tag>      that base, binutils, and this machine's JDK 25 at /opt/java/openjdk
#   mariadb:<tag>              that base and Debian 12's MariaDB 10.11, Galera 26.4, mariadb-backup
#                              and socat, mysql as 999:999 (scripts/images/mariadb.Containerfile)
#
# The stand-ins check the Dockerfiles, the packaged files and their permissions, the uids, the
# read-only root filesystems and the jlink-ed runtime on Debian 12's glibc (scripts/test-images.sh);
# they are not the Ubuntu-based official images. Stand-ins already in podman storage are reused.
#
# Network: Debian's mirror (debootstrap, apt-get) and Maven Central (the install build) only.
# Everything made lives in podman storage or in a temp dir removed on exit; /etc is not touched.
# Needs root and the packages podman, buildah, debootstrap and runc (scripts/install-deps.sh).
# Other users of podman on the machine: run it under the tests' lock,
#   flock /tmp/galera-it.lock scripts/build-images.sh
#
# Usage: scripts/build-images.sh [--rebuild-standins]   build (reusing the stand-ins unless told)
#        scripts/build-images.sh --cleanup              remove every image it and test-images.sh
#                                                       made, and netavark's leftover iptables rules
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/podman-env.sh

die() { echo "build-images: $*" >&2; exit 1; }
step() { printf 'build-images: %-62s %4ss\n' "$1" "$2"; }
# build LOG ARGS...: podman build --pull=never, its output kept in LOG and shown only on failure
build() {
  local log=$work/$1; shift
  podman build --pull=never "$@" >"$log" 2>&1 || { tail -30 "$log" >&2; die "podman build $* failed (its log above)"; }
}

mode=build
rebuild=false
case "${1:-}" in
  '') ;;
  --rebuild-standins) rebuild=true ;;
  --cleanup) mode=cleanup ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "build-images: unknown option '$1' (--rebuild-standins, --cleanup, --help)" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (rootful podman; the stand-ins need debootstrap)"
for tool in podman buildah debootstrap runc; do
  command -v "$tool" >/dev/null || die "$tool is missing: run scripts/install-deps.sh"
done

work=$(mktemp -d "${TMPDIR:-/var/tmp}/galera-images.XXXXXX")
trap 'remove_tree "$work"' EXIT
podman_env "$work"

if [ "$mode" = cleanup ]; then
  for image in "${ALL_IMAGES[@]}"; do
    if podman image exists "$image"; then
      podman rmi -f "$image" >/dev/null
      echo "build-images: removed $image"
    fi
  done
  # the infra image of `podman pod create` (scripts/test-images.sh), built locally by podman
  if [ -z "$(podman pod ps -q)" ]; then
    for image in $(podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/podman-pause:' || true); do
      podman rmi -f "$image" >/dev/null && echo "build-images: removed $image"
    done
  fi
  podman image prune -f >/dev/null
  podman_cleanup_network
  exit 0
fi

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
total=$SECONDS

if $rebuild; then
  podman rmi -f "$STANDIN_MARIADB" "$STANDIN_TEMURIN" "$STANDIN_DEBIAN" >/dev/null 2>&1 || true
fi

if ! podman image exists "$STANDIN_DEBIAN"; then
  t=$SECONDS
  rootfs=$work/rootfs
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  # the suites a Debian 12 image has: point releases, updates and security fixes
  cat >"$rootfs/etc/apt/sources.list" <<LIST
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
LIST
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  tar -C "$rootfs" --numeric-owner -c . | podman import -q --change 'CMD ["bash"]' - "$STANDIN_DEBIAN" >/dev/null
  remove_tree "$rootfs"
  step "stand-in ${STANDIN_DEBIAN##*/} (debootstrap)" $((SECONDS - t))
fi

if ! podman image exists "$STANDIN_TEMURIN"; then
  t=$SECONDS
  . scripts/jdk.sh
  select_jdk25
  mkdir "$work/temurin"
  cp -a "$JAVA_HOME" "$work/temurin/jdk"
  # Debian's JDK packages link cacerts into /etc/ssl: the image needs the file itself, or the
  # Maven wrapper fails with "trustAnchors parameter must be non-empty"
  cp -L --remove-destination "$JAVA_HOME/lib/security/cacerts" "$work/temurin/jdk/lib/security/cacerts"
  build temurin.log --build-arg BASE="$STANDIN_DEBIAN" -f scripts/images/temurin.Containerfile \
    -t "$STANDIN_TEMURIN" "$work/temurin"
  rm -rf "$work/temurin"
  step "stand-in ${STANDIN_TEMURIN##*/} (JDK $(basename "$JAVA_HOME"))" $((SECONDS - t))
fi

if ! podman image exists "$STANDIN_MARIADB"; then
  t=$SECONDS
  build mariadb.log --build-arg BASE="$STANDIN_DEBIAN" -f scripts/images/mariadb.Containerfile \
    -t "$STANDIN_MARIADB" scripts/images
  step "stand-in ${STANDIN_MARIADB##*/} (Debian's MariaDB)" $((SECONDS - t))
fi

t=$SECONDS
build install.log -f docker/install/Dockerfile -t "$INSTALL_IMAGE" .
step "${INSTALL_IMAGE#localhost/} (docker/install/Dockerfile)" $((SECONDS - t))

t=$SECONDS
build bootstrap.log -t "$BOOTSTRAP_IMAGE" docker/bootstrap
step "${BOOTSTRAP_IMAGE#localhost/} (docker/bootstrap/Dockerfile)" $((SECONDS - t))

podman image prune -f >/dev/null
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -F -f <(printf '%s\n' "${ALL_IMAGES[@]}") | sed 's/^/build-images:   /'
step "done" $((SECONDS - total))
