"""SSH: credentials for ngrok's SSH gateway, certificate authorities and user certificates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar

import attrs

from .. import _validate as check
from .._types import NOT_GIVEN, NotGivenOr
from ._base import Checks, ResourceService

_DESCRIBED = {"description": check.description, "metadata": check.metadata}


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
    """An OpenSSH user certificate; write ``certificate`` to ``<key>-cert.pub``."""

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


class SSHCredentialsService(ResourceService[SSHCredential]):
    """SSH public keys for ngrok's SSH tunnel gateway: ``client.ssh_credentials``."""

    path = "/ssh_credentials"
    record = SSHCredential
    list_key = "ssh_credentials"
    update_checks: ClassVar[Checks] = {**_DESCRIBED, "acl": check.string_list}
    create_checks: ClassVar[Checks] = {
        **update_checks,
        "public_key": check.public_key,
        "owner_id": check.path_segment,
    }

    __slots__ = ()

    async def create(
        self,
        public_key: str,
        *,
        description: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[str] = NOT_GIVEN,
        acl: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        owner_id: NotGivenOr[str] = NOT_GIVEN,
    ) -> SSHCredential:
        """Register ``public_key`` (an OpenSSH line, checked locally) for the SSH gateway."""
        return await self._create(
            {
                "public_key": public_key,
                "description": description,
                "metadata": metadata,
                "acl": acl,
                "owner_id": owner_id,
            }
        )

    async def update(
        self,
        id: str,
        *,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[str | None] = NOT_GIVEN,
        acl: NotGivenOr[Sequence[str] | None] = NOT_GIVEN,
    ) -> SSHCredential:
        """Change the fields passed (``None`` sends JSON ``null``, which changes nothing)."""
        return await self._update(
            id, {"description": description, "metadata": metadata, "acl": acl}
        )


class SSHCertificateAuthoritiesService(ResourceService[SSHCertificateAuthority]):
    """SSH certificate authorities that sign user and host certificates."""

    path = "/ssh_certificate_authorities"
    record = SSHCertificateAuthority
    list_key = "ssh_certificate_authorities"
    update_checks: ClassVar[Checks] = _DESCRIBED
    create_checks: ClassVar[Checks] = {
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
    ) -> SSHCertificateAuthority:
        """Create a CA; ngrok generates and keeps its private key.

        ``private_key_type`` is ``"rsa"``, ``"ecdsa"`` or ``"ed25519"``; ``elliptic_curve``
        applies to ecdsa and ``key_size`` (2048 or 4096) to rsa.
        """
        return await self._create(
            {
                "description": description,
                "metadata": metadata,
                "private_key_type": private_key_type,
                "elliptic_curve": elliptic_curve,
                "key_size": key_size,
            }
        )

    async def update(
        self,
        id: str,
        *,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> SSHCertificateAuthority:
        """Change the fields passed (``None`` sends JSON ``null``, which changes nothing)."""
        return await self._update(id, {"description": description, "metadata": metadata})


class SSHUserCertificatesService(ResourceService[SSHUserCertificate]):
    """SSH user certificates signed by one of the account's certificate authorities."""

    path = "/ssh_user_certificates"
    record = SSHUserCertificate
    list_key = "ssh_user_certificates"
    update_checks: ClassVar[Checks] = _DESCRIBED
    create_checks: ClassVar[Checks] = {
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
        public_key: str,
        *,
        principals: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        critical_options: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        extensions: NotGivenOr[Mapping[str, str]] = NOT_GIVEN,
        valid_after: NotGivenOr[datetime] = NOT_GIVEN,
        valid_until: NotGivenOr[datetime] = NOT_GIVEN,
        description: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[str] = NOT_GIVEN,
    ) -> SSHUserCertificate:
        """Have the CA sign ``public_key`` (an OpenSSH line) as a user certificate.

        Parameters not passed are left out, so ngrok's defaults apply: ``extensions``
        ``{"permit-pty": "", "permit-user-rc": ""}``, ``valid_after`` now, ``valid_until``
        24 hours later. Datetimes must be timezone-aware. With no ``principals`` the
        certificate is valid for any user name.
        """
        check.validity_window(valid_after, valid_until)
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
            }
        )

    async def update(
        self,
        id: str,
        *,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[str | None] = NOT_GIVEN,
    ) -> SSHUserCertificate:
        """Change the fields passed (``None`` sends JSON ``null``, which changes nothing)."""
        return await self._update(id, {"description": description, "metadata": metadata})
