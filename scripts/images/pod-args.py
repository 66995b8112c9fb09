#!/usr/bin/env python3
"""Prints, one per line, the `podman run` arguments that give one container of the manifest's
StatefulSet what the kubelet would give it: its pod's securityContext (uid, gid, fsGroup as a
supplementary group) and its own (read-only root filesystem, no capabilities, no privilege
escalation), its environment with the Downward API's values filled in, its volume mounts as
bind mounts of the host directories given, and its command. The image comes last.

Usage: pod-args.py MANIFEST CONTAINER POD_NAME POD_NAMESPACE POD_IP VOLUME=DIR... [-- ARG...]
A volume without a DIR is left out (said on stderr); ARGs after -- are appended to the command.
With MARIADB_IMAGE set, it replaces the manifest's mariadb:<tag> (an image built from docker/bootstrap).
Also: pod-args.py MANIFEST --data KIND NAME KEY   prints a ConfigMap's or Secret's value.
"""
import os
import sys

import yaml


def documents(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def data(docs, kind, name, key):
    for d in docs:
        if d["kind"] == kind and d["metadata"]["name"] == name:
            return (d.get("data") or d.get("stringData"))[key]
    sys.exit(f"pod-args: no {kind} {name} with key {key}")


def run_args(docs, container, pod, namespace, ip, volumes, extra):
    sts = next(d for d in docs if d["kind"] == "StatefulSet")
    spec = sts["spec"]["template"]["spec"]
    found = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == container]
    if not found:
        sys.exit(f"pod-args: the StatefulSet has no container {container}")
    c = found[0]
    pod_sc, sc = spec.get("securityContext", {}), c.get("securityContext", {})
    uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
    gid = sc.get("runAsGroup", pod_sc.get("runAsGroup"))
    args = []
    if uid is not None:
        args.append(f"--user={uid}:{gid if gid is not None else uid}")
    if "fsGroup" in pod_sc:
        args.append(f"--group-add={pod_sc['fsGroup']}")
    if sc.get("readOnlyRootFilesystem"):
        # no tmpfs on /tmp, /run and /var/tmp: the kubelet adds none either
        args += ["--read-only", "--read-only-tmpfs=false"]
    for cap in sc.get("capabilities", {}).get("drop", []):
        args.append(f"--cap-drop={cap}")
    if sc.get("allowPrivilegeEscalation") is False:
        args.append("--security-opt=no-new-privileges")
    field = {"metadata.name": pod, "metadata.namespace": namespace, "metadata.uid": "00000000-0000-4000-8000-000000000001", "status.podIP": ip}
    for e in c.get("env", []):
        if "value" in e:
            value = e["value"]
        else:
            value = field[e["valueFrom"]["fieldRef"]["fieldPath"]]
        args.append(f"--env={e['name']}={value}")
    for m in c.get("volumeMounts", []):
        host = volumes.get(m["name"])
        if not host:
            print(f"pod-args: {container}: volume {m['name']} left out", file=sys.stderr)
            continue
        args.append(f"--volume={host}:{m['mountPath']}" + (":ro" if m.get("readOnly") else ""))
    command = c.get("command", [])
    if command:
        args.append(f"--entrypoint={command[0]}")
    image = c["image"]
    # the MariaDB image built from docker/bootstrap instead of the name the manifest pulls
    if image.startswith("mariadb:") and os.environ.get("MARIADB_IMAGE"):
        image = os.environ["MARIADB_IMAGE"]
    args.append(image)
    args += command[1:] + c.get("args", []) + extra
    return args


def main(argv):
    docs = documents(argv[1])
    if argv[2] == "--data":
        print(data(docs, argv[3], argv[4], argv[5]), end="")
        return
    rest = argv[6:]
    extra = rest[rest.index("--") + 1:] if "--" in rest else []
    pairs = rest[:rest.index("--")] if "--" in rest else rest
    volumes = dict(p.split("=", 1) for p in pairs)
    print("\n".join(run_args(docs, argv[2], argv[3], argv[4], argv[5], volumes, extra)))


if __name__ == "__main__":
    main(sys.argv)
