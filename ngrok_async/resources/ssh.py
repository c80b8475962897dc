"""SSH: credentials for ngrok's SSH gateway, certificate authorities and user certificates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from .. import _validate as check
from .._types import NOT_GIVEN, NotGivenOr
from ._base import Checks, FilteredResourceService
from ._bulk import BulkCreateService

if TYPE_CHECKING:  # bulk issuance and certificate parsing load on first use
    from ..ssh_keys import CertificateInfo, KeyInput

_DESCRIBED = {"description": check.description, "metadata": check.metadata}


def _same_key(line: object, other: str) -> bool:
    """Whether two OpenSSH key lines hold the same key (type and data; comments ignored)."""
    return isinstance(line, str) and line.split()[:2] == other.split()[:2]


@attrs.frozen(slots=True, kw_only=True)
class SSHCredential:
    """A public key allowed to start tunnels through ngrok's SSH gateway."""

    id: str
    uri: str = ""
    created_at: datetime
    description: str = ""
    metadata: str = ""
    public_key: str = ""
    acl: tuple[str, ...] = ()
    owner_id: str = ""


@attrs.frozen(slots=True, kw_only=True)
class SSHCertificateAuthority:
    """An SSH certificate authority whose private key ngrok holds; ``public_key`` is OpenSSH."""

    id: str
    uri: str = ""
    created_at: datetime
    description: str = ""
    metadata: str = ""
    public_key: str = ""
    key_type: str = ""


@attrs.frozen(slots=True, kw_only=True)
class SSHUserCertificate:
    """An OpenSSH user certificate; ``ssh_keys.write_certificate`` saves it as
    ``<key>-cert.pub``."""

    id: str
    uri: str = ""
    created_at: datetime
    description: str = ""
    metadata: str = ""
    public_key: str = ""
    key_type: str = ""
    ssh_certificate_authority_id: str = ""
    principals: tuple[str, ...] = ()
    critical_options: dict[str, str] = attrs.field(factory=dict)
    extensions: dict[str, str] = attrs.field(factory=dict)
    valid_after: datetime
    valid_until: datetime
    certificate: str = ""

    def parse(self) -> CertificateInfo:
        """Decode ``certificate``: key id, serial, principals, validity, critical options,
        extensions, certified key and signing CA fingerprints (no signature check)."""
        from ..ssh_keys import parse_certificate

        return parse_certificate(self.certificate)

    def verify(
        self,
        ca_public_key: KeyInput | SSHCertificateAuthority,
        *,
        principal: str | None = None,
        at: datetime | None = None,
    ) -> CertificateInfo:
        """Check that ``ca_public_key`` (a key, or the CA record) signed this certificate, that
        it certifies this record's ``public_key``, lists ``principal`` (if given) and is valid
        ``at`` (default now). Raises ``ssh_keys.CertificateVerificationError``."""
        from ..ssh_keys import verify_certificate

        if isinstance(ca_public_key, SSHCertificateAuthority):
            ca_public_key = ca_public_key.public_key
        return verify_certificate(
            self.certificate,
            ca_public_key=ca_public_key,
            public_key=self.public_key or None,
            principal=principal,
            at=at,
        )


@attrs.frozen(slots=True)
class SSHCredentialRequest:
    """One SSH credential for :meth:`SSHCredentialsService.create_many`; as in ``create``."""

    public_key: KeyInput
    description: NotGivenOr[str] = attrs.field(default=NOT_GIVEN, kw_only=True)
    metadata: NotGivenOr[str] = attrs.field(default=NOT_GIVEN, kw_only=True)
    acl: NotGivenOr[Sequence[str]] = attrs.field(default=NOT_GIVEN, kw_only=True)
    owner_id: NotGivenOr[str] = attrs.field(default=NOT_GIVEN, kw_only=True)


@attrs.frozen(slots=True)
class SSHUserCertificateRequest:
    """One certificate for :meth:`SSHUserCertificatesService.create_many`; as in ``create``."""

    ssh_certificate_authority_id: str
    public_key: KeyInput
    principals: NotGivenOr[Sequence[str]] = attrs.field(default=NOT_GIVEN, kw_only=True)
    critical_options: NotGivenOr[Mapping[str, str]] = attrs.field(default=NOT_GIVEN, kw_only=True)
    extensions: NotGivenOr[Mapping[str, str]] = attrs.field(default=NOT_GIVEN, kw_only=True)
    valid_after: NotGivenOr[datetime] = attrs.field(default=NOT_GIVEN, kw_only=True)
    valid_until: NotGivenOr[datetime] = attrs.field(default=NOT_GIVEN, kw_only=True)
    description: NotGivenOr[str] = attrs.field(default=NOT_GIVEN, kw_only=True)
    metadata: NotGivenOr[str] = attrs.field(default=NOT_GIVEN, kw_only=True)
    valid_for: NotGivenOr[timedelta] = attrs.field(default=NOT_GIVEN, kw_only=True)


class SSHCredentialsService(
    BulkCreateService[SSHCredentialRequest, SSHCredential], FilteredResourceService[SSHCredential]
):
    """SSH public keys for ngrok's SSH tunnel gateway: ``client.ssh_credentials``.

    ``create_many`` registers keys concurrently; reconciliation matches the marker and the
    public key.
    """

    _path = "/ssh_credentials"
    _record = SSHCredential
    _request = SSHCredentialRequest
    _list_key = "ssh_credentials"
    _update_checks: ClassVar[Checks] = {**_DESCRIBED, "acl": check.string_list}
    _create_checks: ClassVar[Checks] = {
        **_update_checks,
        "public_key": check.public_key,
        "owner_id": check.path_segment,
    }

    __slots__ = ()

    async def create(
        self,
        public_key: KeyInput,
        *,
        description: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[str] = NOT_GIVEN,
        acl: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        owner_id: NotGivenOr[str] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> SSHCredential:
        """Register ``public_key`` for the SSH gateway: an OpenSSH line (str or bytes), a
        ``pathlib.Path`` to a ``.pub`` file or a ``cryptography`` public key, checked locally."""
        extras = check.extras(extra_headers, extra_query)
        return await self._create(
            {
                "public_key": public_key,
                "description": description,
                "metadata": metadata,
                "acl": acl,
                "owner_id": owner_id,
            },
            extras,
        )

    async def update(
        self,
        id: str,
        *,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[str | None] = NOT_GIVEN,
        acl: NotGivenOr[Sequence[str] | None] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> SSHCredential:
        """Change the fields passed (``None`` sends JSON ``null``, which changes nothing)."""
        extras = check.extras(extra_headers, extra_query)
        return await self._update(
            id, {"description": description, "metadata": metadata, "acl": acl}, extras
        )

    def _same(self, body: Mapping[str, Any], record: SSHCredential) -> bool:
        return _same_key(body.get("public_key"), record.public_key)


class SSHCertificateAuthoritiesService(FilteredResourceService[SSHCertificateAuthority]):
    """SSH certificate authorities that sign user and host certificates."""

    _path = "/ssh_certificate_authorities"
    _record = SSHCertificateAuthority
    _list_key = "ssh_certificate_authorities"
    _update_checks: ClassVar[Checks] = _DESCRIBED
    _create_checks: ClassVar[Checks] = {
        **_DESCRIBED,
        "private_key_type": check.one_of("rsa", "ecdsa", "ed25519"),
        "elliptic_curve": check.non_empty,
        "key_size": check.int_choice(2048, 4096),
    }

    __slots__ = ()

    async def create(
        self,
        *,
        description: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[str] = NOT_GIVEN,
        private_key_type: NotGivenOr[str] = NOT_GIVEN,
        elliptic_curve: NotGivenOr[str] = NOT_GIVEN,
        key_size: NotGivenOr[int] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> SSHCertificateAuthority:
        """Create a CA; ngrok generates and keeps its private key.

        ``private_key_type`` is ``"rsa"``, ``"ecdsa"`` or ``"ed25519"``; ``elliptic_curve``
        applies to ecdsa and ``key_size`` (2048 or 4096) to rsa.
        """
        extras = check.extras(extra_headers, extra_query)
        return await self._create(
            {
                "description": description,
                "metadata": metadata,
                "private_key_type": private_key_type,
                "elliptic_curve": elliptic_curve,
                "key_size": key_size,
            },
            extras,
        )

    async def update(
        self,
        id: str,
        *,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[str | None] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> SSHCertificateAuthority:
        """Change the fields passed (``None`` sends JSON ``null``, which changes nothing)."""
        extras = check.extras(extra_headers, extra_query)
        return await self._update(id, {"description": description, "metadata": metadata}, extras)


class SSHUserCertificatesService(BulkCreateService[SSHUserCertificateRequest, SSHUserCertificate]):
    """SSH user certificates signed by one of the account's certificate authorities.

    ``create_many`` issues certificates concurrently; reconciliation matches the marker, the
    public key and the CA.
    """

    _path = "/ssh_user_certificates"
    _record = SSHUserCertificate
    _request = SSHUserCertificateRequest
    _list_key = "ssh_user_certificates"
    _update_checks: ClassVar[Checks] = _DESCRIBED
    _create_checks: ClassVar[Checks] = {
        **_DESCRIBED,
        "ssh_certificate_authority_id": check.path_segment,
        "public_key": check.public_key,
        "principals": check.string_list,
        "critical_options": check.string_map,
        "extensions": check.string_map,
        "valid_after": check.aware_datetime,
        "valid_until": check.aware_datetime,
    }

    __slots__ = ()

    async def create(
        self,
        ssh_certificate_authority_id: str,
        public_key: KeyInput,
        *,
        principals: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        critical_options: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        extensions: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        valid_after: NotGivenOr[datetime] = NOT_GIVEN,
        valid_until: NotGivenOr[datetime] = NOT_GIVEN,
        description: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[str] = NOT_GIVEN,
        valid_for: NotGivenOr[timedelta] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> SSHUserCertificate:
        """Have the CA sign ``public_key`` as a user certificate. The key is an OpenSSH line
        (str or bytes), a ``pathlib.Path`` to a ``.pub`` file or a ``cryptography`` public key.

        Parameters not passed are left out, so ngrok's defaults apply: ``extensions``
        ``{"permit-pty": "", "permit-user-rc": ""}``, ``valid_after`` now, ``valid_until``
        24 hours later. Datetimes must be timezone-aware. With no ``principals`` the
        certificate is valid for any user name. ``valid_for=timedelta(hours=8)`` instead of
        ``valid_until`` (not both) sends ``valid_after`` (or now) plus that span, computed as
        the request goes on the wire, after any wait on the rate limiter, so the certificate
        gets its whole span.
        """
        extras = check.extras(extra_headers, extra_query)
        return await self._create(
            {
                "ssh_certificate_authority_id": ssh_certificate_authority_id,
                "public_key": public_key,
                "principals": principals,
                "critical_options": critical_options,
                "extensions": extensions,
                "valid_after": valid_after,
                "valid_until": valid_until,
                "description": description,
                "metadata": metadata,
                "valid_for": valid_for,
            },
            extras,
        )

    async def update(
        self,
        id: str,
        *,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[str | None] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> SSHUserCertificate:
        """Change the fields passed (``None`` sends JSON ``null``, which changes nothing)."""
        extras = check.extras(extra_headers, extra_query)
        return await self._update(id, {"description": description, "metadata": metadata}, extras)

    def _create_body(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if params.get("valid_for", NOT_GIVEN) is NOT_GIVEN:
            check.validity_window(params.get("valid_after"), params.get("valid_until"))
        return super()._create_body(params)

    def _same(self, body: Mapping[str, Any], record: SSHUserCertificate) -> bool:
        return record.ssh_certificate_authority_id == body.get(
            "ssh_certificate_authority_id"
        ) and _same_key(body.get("public_key"), record.public_key)
