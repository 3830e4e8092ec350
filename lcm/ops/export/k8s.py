"""`--to k8s-secret:FILE`: a Kubernetes `v1` Secret of the flattened config.

`data` (base64), not `stringData`: `kubectl apply` merges `stringData` into `data`,
so a variable removed from the config would linger in the cluster. Labels and
annotations say where it came from; Kubernetes refuses a Secret whose data exceeds
1 MiB, so lcm does too, before writing anything.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from lcm.errors import RepoError, UsageError
from lcm.ops.export.source import Source
from lcm.ops.flatten import FlatValue

MAX_BYTES = 1024 * 1024
MAX_KEY = 253
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
ANNOTATION = "lcm"


def check_names(name: str | None, namespace: str | None) -> None:
    """UsageError for a `--name` or `--namespace` Kubernetes would refuse."""
    if name is not None and (len(name) > 253 or not _DNS_SUBDOMAIN.match(name)):
        raise UsageError(f"--name {name!r}: not a Kubernetes object name (lowercase letters,"
                         " digits, '-' and '.', at most 253 characters)")
    if namespace is not None and (len(namespace) > 63 or not _DNS_LABEL.match(namespace)):
        raise UsageError(f"--namespace {namespace!r}: not a Kubernetes namespace (lowercase"
                         " letters, digits and '-', at most 63 characters)")


def default_name(source: Source) -> str:
    name = f"lcm-{source.tenant}-{source.env}".replace("_", "-")
    if len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        raise UsageError(f"{source.label}: {name!r} is not a Kubernetes object name; give --name")
    return name


def manifest(source: Source, variables: dict[str, FlatValue], name: str,
             namespace: str | None) -> dict[str, Any]:
    """The Secret as a mapping; RepoError over 1 MiB or for a data key Kubernetes refuses."""
    data: dict[str, str] = {}
    size = 0
    for key, flat in variables.items():
        if len(key) > MAX_KEY or not _DATA_KEY.match(key):
            raise RepoError(f"{flat.origin}: {key} is not a valid Kubernetes Secret data key")
        raw = flat.value.encode("utf-8")
        size += len(raw)
        data[key] = base64.b64encode(raw).decode("ascii")
    if size > MAX_BYTES:
        raise RepoError(f"k8s-secret: the data of {source.label} is {size} bytes; Kubernetes"
                        f" refuses Secrets over {MAX_BYTES} bytes (1 MiB): export fewer files")
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["labels"] = {"app.kubernetes.io/managed-by": "lcm"}
    meta["annotations"] = {
        f"{ANNOTATION}/source": source.label,
        f"{ANNOTATION}/files": ",".join(f.name for f in source.files),
        f"{ANNOTATION}/commit": source.commit or "none",
        f"{ANNOTATION}/tree-clean": "true" if source.clean else "false",
        f"{ANNOTATION}/repo-id": source.repo_id,
    }
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque",
            "data": data}


def render(doc: dict[str, Any]) -> str:
    import yaml

    return str(yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=4096))


def parse(text: str) -> dict[str, str] | None:
    """The decoded `data` of an existing Secret file (for `--dry-run`); None when unreadable."""
    import binascii

    import yaml

    try:
        doc = yaml.safe_load(text)
        data = doc.get("data") or {} if isinstance(doc, dict) else None
        if not isinstance(data, dict):
            return None
        return {str(k): base64.b64decode(str(v), validate=True).decode("utf-8")
                for k, v in data.items()}
    except (yaml.YAMLError, binascii.Error, UnicodeDecodeError, ValueError):
        return None
