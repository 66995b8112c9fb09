# Sourced by build-images.sh and test-images.sh: podman settings that work on Debian 12 hosts
# like this project's CI, without touching /etc. Defines podman_env and podman_cleanup_network.

# The images, named as the Dockerfiles and the manifest name them (read from those files, so that
# a version bump there needs no change here). The stand-ins are tagged under docker.io/library so
# that the Dockerfiles' short FROM names resolve to them with --pull=never; the images built from
# docker/ get podman's localhost/ prefix, which the manifest's short names also resolve to.
from_line() { awk -v n="$2" '$1 == "FROM" && ++i == n { print $2; exit }' "$1"; }
STANDIN_TEMURIN=docker.io/library/$(from_line docker/install/Dockerfile 1)
STANDIN_DEBIAN=docker.io/library/$(from_line docker/install/Dockerfile 2)
STANDIN_MARIADB=docker.io/library/$(from_line docker/bootstrap/Dockerfile 1)
INSTALL_IMAGE=localhost/$(awk '$1 == "image:" && $2 ~ /^galera-agent\/install:/ { print $2; exit }' k8s/galera-statefulset.yaml)
BOOTSTRAP_IMAGE=localhost/galera-agent/${STANDIN_MARIADB##*/}
# every image a run may leave in podman storage (--cleanup removes exactly these)
ALL_IMAGES=("$INSTALL_IMAGE" "$BOOTSTRAP_IMAGE" "$STANDIN_MARIADB" "$STANDIN_TEMURIN" "$STANDIN_DEBIAN")

# podman_env DIR: writes DIR/containers.conf and points podman at it. runc, because crun 1.8
# refuses hosts with a hybrid cgroup v1/v2 hierarchy; ulimits no higher than this shell's hard
# limit, because podman's default nofile (1048576) cannot be raised to here even by root; network
# configs (and netavark's lock) in DIR, not in /etc/containers/networks.
podman_env() {
  local dir=$1 nofile
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] && nofile=1048576
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
runtime = "runc"

[network]
network_config_dir = "$dir/networks"
CONF
  export CONTAINERS_CONF="$dir/containers.conf"
  # buildah keeps RUN --mount=type=cache directories under TMPDIR: inside our temp dir, they go with it
  export TMPDIR="$dir"
}

# remove_tree DIR: removes a temp dir of ours. An interrupted debootstrap may leave /proc, /sys or
# /dev mounted inside it: unmount those first, and never cross into another file system.
remove_tree() {
  local dir=$1 target
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  for target in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r); do
    umount -l "$target" 2>/dev/null || true
  done
  rm -rf --one-file-system "$dir"
}

# netavark adds NETAVARK_* iptables chains for the default bridge network (the builds use it to
# reach Debian's mirror and Maven Central) and leaves them when the last container is gone.
# Removes them, and the bridge, only when no container at all is left in podman storage.
podman_cleanup_network() {
  [ -z "$(podman ps -aq)" ] || { echo "containers remain in podman storage: leaving netavark's rules alone"; return 0; }
  local table chain
  if command -v iptables >/dev/null; then
    for table in filter nat; do
      # first every rule that jumps to a NETAVARK chain, then the chains themselves
      iptables -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z_]+ .*-j NETAVARK' | grep -vE '^-A NETAVARK' \
        | while read -r rule; do eval "iptables -t $table -D ${rule#-A }" 2>/dev/null || true; done
      for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
        iptables -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
        iptables -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  fi
  if ip link show podman0 >/dev/null 2>&1; then
    ip link delete podman0 || true
  fi
}
