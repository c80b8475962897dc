"""The resource kinds, declared: id prefix, wire field order, create and update rules.

A kind's ``create`` checks the body and returns the stored fields (plus any create-only fields
such as a credential's ``token``); ``updatable`` lists what PATCH may change. The body has
already passed the one body rule (``_schema.check``: JSON types, no ``null`` in lists); these
rules add what only these services check, with ngrok's codes. Rendering prints empty
``description`` / ``metadata`` as ``""`` (``_schema.shown``), as for every kind.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import attrs

from .. import ssh_keys
from . import _codes as codes
from . import _fields as fields
from . import _signing as signing
from ._codes import FakeAPIError, bad_request
from ._schema import shown

DEFAULT_EXTENSIONS = {"permit-pty": "", "permit-user-rc": ""}
DEFAULT_VALIDITY_SECONDS = 24 * 3600
HOST_VALIDITY_SECONDS = 365 * 24 * 3600  # host certificates: one year unless given


@attrs.define(slots=True, kw_only=True)
class Record:
    """One stored resource: wire fields (without ``id``/``uri``/``created_at``) and secrets."""

    kind: str
    id: str
    created_at: str
    fields: dict[str, Any]
    secret: Any = None  # an SSH CA's private key


@attrs.frozen(slots=True, kw_only=True)
class Created:
    fields: dict[str, Any]
    secret: Any = None
    once: dict[str, Any] = attrs.field(factory=dict)  # only in the create response


@attrs.frozen(slots=True, kw_only=True)
class CreateContext:
    """What a create rule may use besides the body."""

    new_id: str
    now: int
    user_id: str
    token: Callable[[int], str]
    serial: Callable[[], int]
    lookup: Callable[[str, str], Record | None]


@attrs.frozen(slots=True, kw_only=True)
class Kind:
    name: str  # URL path segment and list key, e.g. "ssh_credentials"
    label: str  # for messages, e.g. "ssh credential"
    prefix: str
    order: tuple[str, ...]  # wire field order after id, uri, created_at
    updatable: tuple[str, ...]
    create: Callable[[CreateContext, dict[str, Any]], Created]
    list_key: str = ""  # the list response's key when it is not ``name`` ("keys")
    key: str = "id"  # the item's path parameter

    @property
    def items_key(self) -> str:
        return self.list_key or self.name

    def render(self, record: Record, base_url: str, once: dict[str, Any] | None = None) -> Any:
        """The resource as the API prints it (a fresh, deep-copied dict)."""
        out: dict[str, Any] = {
            "id": record.id,
            "uri": f"{base_url}/{self.name}/{record.id}",
            "created_at": record.created_at,
        }
        extra = once or {}
        for name in self.order:
            value = shown(name, extra[name] if name in extra else record.fields.get(name))
            if value is None:
                continue
            out[name] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
        return out

    def update(self, record: Record, body: dict[str, Any]) -> None:
        """Apply the present, non-null updatable fields, all checked before any is applied."""
        changes: dict[str, Any] = {}
        for name in self.updatable:
            value = _UPDATE_CHECKS[name](body)
            if value is not None:
                changes[name] = value
        record.fields.update(changes)


def _described(body: dict[str, Any]) -> dict[str, Any]:
    return {"description": fields.description(body) or "", "metadata": fields.metadata(body) or ""}


_UPDATE_CHECKS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "description": fields.description,
    "metadata": fields.metadata,
    "acl": fields.acl,
}


def _create_credential(ctx: CreateContext, body: dict[str, Any]) -> Created:
    values = {
        **_described(body),
        "acl": fields.acl(body) or [],
        "owner_id": fields.owner_id(body) or ctx.user_id,
    }
    token = f"{ctx.new_id.partition('_')[2]}_{ctx.token(21)}"
    return Created(fields=values, once={"token": token})


def _create_ssh_credential(ctx: CreateContext, body: dict[str, Any]) -> Created:
    line, _ = fields.public_key(body, codes.MISSING_PUBLIC_KEY)
    values = {
        **_described(body),
        "public_key": line,
        "acl": fields.acl(body) or [],
        "owner_id": fields.owner_id(body) or ctx.user_id,
    }
    return Created(fields=values)


def _create_ca(ctx: CreateContext, body: dict[str, Any]) -> Created:
    described = _described(body)
    private = signing.ca_key_from_body(body)
    values = {
        **described,
        "public_key": signing.ca_public_line(private),
        "key_type": signing.ca_key_type(private),
    }
    return Created(fields=values, secret=private)


def _create_user_certificate(ctx: CreateContext, body: dict[str, Any]) -> Created:
    ca_id = body.get("ssh_certificate_authority_id")
    if not isinstance(ca_id, str) or not ca_id:
        raise bad_request(
            codes.INVALID_CA_ID, "ssh_certificate_authority_id is required and must be a string"
        )
    line, key = fields.public_key(body, codes.MISSING_PUBLIC_KEY)
    principals = fields.principals(body) or []
    critical_options = fields.string_map(body, "critical_options") or {}
    extensions = fields.string_map(body, "extensions")
    if extensions is None:
        extensions = dict(DEFAULT_EXTENSIONS)
    valid_after = fields.timestamp(body, "valid_after")
    valid_after = ctx.now if valid_after is None else valid_after
    valid_until = fields.timestamp(body, "valid_until")
    valid_until = valid_after + DEFAULT_VALIDITY_SECONDS if valid_until is None else valid_until
    if valid_until <= valid_after:
        raise bad_request(codes.INVALID_TIMESTAMP, "valid_until must be later than valid_after")
    described = _described(body)
    authority = ctx.lookup("ssh_certificate_authorities", ca_id)
    if authority is None:
        raise FakeAPIError(404, codes.CA_NOT_FOUND, f"The SSH CA {ca_id[:80]!r} does not exist.")
    signed = signing.sign_user_certificate(
        authority.secret,
        public_key=key,
        key_id=ctx.new_id,
        serial=ctx.serial(),
        principals=principals,
        critical_options=critical_options,
        extensions=extensions,
        valid_after=valid_after,
        valid_before=valid_until,
    )
    values = {
        **described,
        "public_key": line,
        "key_type": ssh_keys.key_type_name(key),
        "ssh_certificate_authority_id": ca_id,
        "principals": principals,
        "critical_options": critical_options,
        "extensions": extensions,
        "valid_after": fields.format_timestamp(valid_after),
        "valid_until": fields.format_timestamp(valid_until),
        "certificate": f"{signed} {ctx.new_id}",
    }
    return Created(fields=values)


def _create_api_key(ctx: CreateContext, body: dict[str, Any]) -> Created:
    values = {**_described(body), "owner_id": fields.owner_id(body) or ctx.user_id}
    token = f"{ctx.new_id.partition('_')[2]}_{ctx.token(21)}"
    return Created(fields=values, once={"token": token})


def _create_host_certificate(ctx: CreateContext, body: dict[str, Any]) -> Created:
    ca_id = body.get("ssh_certificate_authority_id")
    if not isinstance(ca_id, str) or not ca_id:
        raise bad_request(
            codes.INVALID_CA_ID, "ssh_certificate_authority_id is required and must be a string"
        )
    line, key = fields.public_key(body, codes.MISSING_PUBLIC_KEY)
    principals = fields.principals(body) or []
    valid_after = fields.timestamp(body, "valid_after")
    valid_after = ctx.now if valid_after is None else valid_after
    valid_until = fields.timestamp(body, "valid_until")
    valid_until = valid_after + HOST_VALIDITY_SECONDS if valid_until is None else valid_until
    if valid_until <= valid_after:
        raise bad_request(codes.INVALID_TIMESTAMP, "valid_until must be later than valid_after")
    described = _described(body)
    authority = ctx.lookup("ssh_certificate_authorities", ca_id)
    if authority is None:
        raise FakeAPIError(404, codes.CA_NOT_FOUND, f"The SSH CA {ca_id[:80]!r} does not exist.")
    signed = signing.sign_host_certificate(
        authority.secret,
        public_key=key,
        key_id=ctx.new_id,
        serial=ctx.serial(),
        principals=principals,
        valid_after=valid_after,
        valid_before=valid_until,
    )
    values = {
        **described,
        "public_key": line,
        "key_type": ssh_keys.key_type_name(key),
        "ssh_certificate_authority_id": ca_id,
        "principals": principals,
        "valid_after": fields.format_timestamp(valid_after),
        "valid_until": fields.format_timestamp(valid_until),
        "certificate": f"{signed} {ctx.new_id}",
    }
    return Created(fields=values)


_DESCRIBED = ("description", "metadata")

CREDENTIALS = Kind(
    name="credentials",
    label="credential",
    prefix="cr",
    order=(*_DESCRIBED, "token", "acl", "owner_id"),
    updatable=(*_DESCRIBED, "acl"),
    create=_create_credential,
)
SSH_CREDENTIALS = Kind(
    name="ssh_credentials",
    label="ssh credential",
    prefix="sshcr",
    order=(*_DESCRIBED, "public_key", "acl", "owner_id"),
    updatable=(*_DESCRIBED, "acl"),
    create=_create_ssh_credential,
)
SSH_CERTIFICATE_AUTHORITIES = Kind(
    name="ssh_certificate_authorities",
    label="ssh certificate authority",
    prefix="sshca",
    order=(*_DESCRIBED, "public_key", "key_type"),
    updatable=_DESCRIBED,
    create=_create_ca,
)
SSH_USER_CERTIFICATES = Kind(
    name="ssh_user_certificates",
    label="ssh user certificate",
    prefix="sucrt",
    order=(
        *_DESCRIBED,
        "public_key",
        "key_type",
        "ssh_certificate_authority_id",
        "principals",
        "critical_options",
        "extensions",
        "valid_after",
        "valid_until",
        "certificate",
    ),
    updatable=_DESCRIBED,
    create=_create_user_certificate,
)

SSH_HOST_CERTIFICATES = Kind(
    name="ssh_host_certificates",
    label="ssh host certificate",
    prefix="shcrt",
    order=(
        *_DESCRIBED,
        "public_key",
        "key_type",
        "ssh_certificate_authority_id",
        "principals",
        "valid_after",
        "valid_until",
        "certificate",
    ),
    updatable=_DESCRIBED,
    create=_create_host_certificate,
)
API_KEYS = Kind(
    name="api_keys",
    label="api key",
    prefix="ak",
    order=(*_DESCRIBED, "token", "owner_id"),
    updatable=_DESCRIBED,
    create=_create_api_key,
    list_key="keys",
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        CREDENTIALS,
        SSH_CREDENTIALS,
        SSH_CERTIFICATE_AUTHORITIES,
        SSH_USER_CERTIFICATES,
        SSH_HOST_CERTIFICATES,
        API_KEYS,
    )
}
