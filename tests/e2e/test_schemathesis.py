"""schemathesis drives every operation of spec/ngrok.yaml (and spec/extra.yaml) against the
standalone fake server and finds nothing: every check (``--checks all``), examples, coverage,
fuzzing and stateful phases.

It runs on a copy of the spec with ngrok's errata applied (:func:`errata`): what the API does
and its spec does not say (``next_page_uri`` is null on the last page, a module PUT sends the
module itself, a body with required fields is required, errors have one JSON shape, times are
RFC 3339, ...). Each erratum states a rule the real API applies, so a request the copy calls
valid is one ngrok accepts.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ngrok_async.testing._api import CHILD_LISTS, prefix_for
from tools.codegen.spec import load_spec

from ..testing.conftest import ECDSA_KEY, ED25519_KEY
from .test_standalone_server import running

pytestmark = pytest.mark.slow
BUDGET_SECONDS = 240  # a bound; the run takes well under a minute on a quiet machine
ERROR = {
    "type": "object",
    "required": ["error_code", "status_code", "msg", "details"],
    "additionalProperties": False,
    "properties": {
        "error_code": {"type": "string", "pattern": "^ERR_NGROK_[0-9]+$"},
        "status_code": {"type": "integer"},
        "msg": {"type": "string", "minLength": 1},
        "details": {
            "type": "object",
            "required": ["operation_id"],
            "properties": {"operation_id": {"type": "string", "pattern": "^op_"}},
        },
    },
}
VERSION = {"$ref": "#/components/parameters/ngrokVersion"}
FILTERS = [
    "",
    "true",  # what a boolean in the query reads as: a CEL constant, a valid filter
    "false",
    'obj.id != ""',
    'obj.created_at > timestamp("2020-01-01T00:00:00Z")',
    '!(obj.id in ["a", "b"]) || size(obj.id) == 0',
]
TIME = re.compile(r"RFC ?3339|^(timestamp|time) (when|that)", re.IGNORECASE)


def _ref(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def errata(spec: dict[str, Any]) -> dict[str, Any]:
    """ngrok's spec with the rules the API applies and the spec leaves out."""
    schemas = spec["components"]["schemas"]
    schemas["Error"] = ERROR
    for name, schema in schemas.items():
        props = schema.get("properties", {})
        if "next_page_uri" in props:  # null on the last page
            props["next_page_uri"]["nullable"] = True
        for field, prop in props.items():
            if prop.get("type") == "string" and TIME.search(prop.get("description", "").strip()):
                prop["format"] = "date-time"
            if field == "acl":  # ERR_NGROK_600
                prop["items"]["pattern"] = r"^(\*|bind:.+)$"
            if field == "owner_id" and name.endswith("Create"):
                prop["pattern"] = r"^((usr|bot)_[0-9A-Za-z]{1,64})?$"
            if field == "public_key" and name.startswith("SSH") and name.endswith("Create"):
                prop["enum"] = [ED25519_KEY, ECDSA_KEY]  # an OpenSSH public key (ERR_NGROK_612)
            if field in ("critical_options", "extensions"):  # named options (ERR_NGROK_239)
                prop["propertyNames"] = {"minLength": 1}
                prop["additionalProperties"] = {"type": "string"}
            if field == "principals":
                prop["maxItems"] = 256
        if name == "SSHCertificateAuthorityCreate":
            # An elliptic_curve only with ecdsa, a key_size only with rsa (400s otherwise): the
            # copy leaves both out, and rsa (a second per key) too.
            props["private_key_type"]["enum"] = ["ed25519", "ecdsa", None]
            props.pop("key_size")
            props.pop("elliptic_curve")
        if name in ("SSHUserCertificateCreate", "SSHHostCertificateCreate"):
            # valid_until must be after valid_after, which a schema cannot say: left out.
            props.pop("valid_after")
            props.pop("valid_until")
    schemas["EventSourceCreate"]["required"] = ["type"]  # its key (the path's {type})
    schemas["EventSourceCreate"]["properties"]["type"]["minLength"] = 1
    for name in _request_schemas(spec):  # Go's decoder reads null as "not given"
        schema = schemas[name]
        for field, prop in schema.get("properties", {}).items():
            if field not in schema.get("required", ()):
                prop["nullable"] = True
    for name in ("SSHUserCertificateCreate", "SSHHostCertificateCreate"):
        schemas[name]["properties"]["ssh_certificate_authority_id"]["minLength"] = 1
    spec["components"]["parameters"]["ngrokVersion"]["schema"]["enum"] = [2]
    for path, item in spec["paths"].items():
        listed = CHILD_LISTS.get(path, (path.strip("/").rsplit("/{", 1)[0],))[0]
        prefix = prefix_for(listed)
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            names = {p.get("name") for p in op.get("parameters", [])}
            if VERSION not in op.get("parameters", []) and "ngrok-version" not in names:
                op.setdefault("parameters", []).append(VERSION)  # spec/extra.yaml leaves it out
            op["responses"]["default"] = {
                "description": "an ngrok error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            for param in op.get("parameters", []):
                if "$ref" in param:
                    param = spec["components"]["parameters"][_ref(param)]
                if param["name"] == "limit":  # 1..100 (ERR_NGROK_233 / 244)
                    param["schema"] = {"type": "string", "pattern": "^(0{0,9}([1-9][0-9]?|100))?$"}
                if param["name"] == "filter":  # ngrok's CEL subset (400 otherwise)
                    param["schema"] = {"type": "string", "enum": FILTERS}
                if param["name"] == "before_id":  # an id of the listed kind (ERR_NGROK_223)
                    param["schema"]["pattern"] = f"^({prefix}_[0-9A-Za-z]{{27}})?$"
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            name = _ref(body.get("schema", {}))
            if name is None:
                continue
            props = schemas[name].get("properties", {})
            path_params = set(re.findall(r"{(\w+)}", path))
            if method == "put" and [p for p in props if p not in path_params] == ["module"]:
                body["schema"] = {"$ref": props["module"]["$ref"]}  # the module itself
                name = _ref(props["module"]) or name
            if schemas[name].get("required"):
                op["requestBody"]["required"] = True
    return spec


def _request_schemas(spec: dict[str, Any]) -> set[str]:
    """The schemas a request body can hold, nested ones included."""
    schemas = spec["components"]["schemas"]
    todo = [
        name
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for media in op.get("requestBody", {}).get("content", {}).values()
        if (name := _ref(media.get("schema", {})))
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for prop in schemas[name].get("properties", {}).values():
            nested = _ref(prop) or _ref(prop.get("items", {}))
            if nested:
                todo.append(nested)
    return seen


def test_schemathesis_finds_no_defect_in_any_operation(tmp_path: Path) -> None:
    spec = errata(load_spec())
    operations = sum(
        method in ("get", "post", "put", "patch", "delete")
        for item in spec["paths"].values()
        for method in item
    )
    copy = tmp_path / "ngrok-errata.json"
    copy.write_text(json.dumps(spec))
    report = tmp_path / "report.json"
    st = Path(sys.executable).with_name("schemathesis")
    with running("--seed", "1", "--api-key", "sk_test", "--quiet") as (url, _):
        started = time.monotonic()
        done = subprocess.run(
            [
                str(st), "run", str(copy), "--url", url,
                "-H", "Authorization: Bearer sk_test",
                "--checks", "all", "--max-examples", "4", "--seed", "20",
                "--workers", "1", "--generation-database", "none", "--no-color",
                "--report", "json", "--report-json-path", str(report),
                "--suppress-health-check", "all",
            ],
            capture_output=True, text=True, timeout=BUDGET_SECONDS, cwd=tmp_path,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    summary = done.stdout[done.stdout.rfind("SUMMARY") :]
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    tested = re.search(r"Tested: (\d+)", summary)
    assert tested is not None, summary
    assert int(tested.group(1)) == operations
    cases = re.search(r"(\d+) generated", summary)
    assert cases is not None
    assert int(cases.group(1)) > 5 * operations
    print(f"schemathesis: {operations} operations, {cases.group(1)} cases, {elapsed:.0f} s")
