"""Tunnel credentials: ngrok agent authtokens (``/credentials``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import attrs

from .. import _validate as check
from .._types import NOT_GIVEN, NotGivenOr
from ._base import Checks, FilteredResourceService
from ._bulk import BulkCreateService

if TYPE_CHECKING:  # bulk issuance loads on first use
    pass


@attrs.frozen(slots=True, kw_only=True)
class Credential:
    """A tunnel credential. ``token`` is set only on the record returned by ``create``."""

    id: str
    uri: str = ""
    created_at: datetime
    description: str = ""
    metadata: str = ""
    token: str | None = attrs.field(default=None, repr=False)
    acl: tuple[str, ...] = ()
    owner_id: str = ""


@attrs.frozen(slots=True, kw_only=True)
class CredentialRequest:
    """One credential for :meth:`CredentialsService.create_many`; fields as in ``create``."""

    description: NotGivenOr[str] = NOT_GIVEN
    metadata: NotGivenOr[str] = NOT_GIVEN
    acl: NotGivenOr[Sequence[str]] = NOT_GIVEN
    owner_id: NotGivenOr[str] = NOT_GIVEN


class CredentialsService(
    BulkCreateService[CredentialRequest, Credential], FilteredResourceService[Credential]
):
    """Tunnel authtoken credentials: ``client.credentials``.

    ``create_many`` (:mod:`ngrok_async.bulk`) creates many; a credential found by
    reconciliation has no ``token``: delete it and create it again if you need the token.
    """

    _path = "/credentials"
    _record = Credential
    _request = CredentialRequest
    _list_key = "credentials"
    _update_checks: ClassVar[Checks] = {
        "description": check.description,
        "metadata": check.metadata,
        "acl": check.string_list,
    }
    _create_checks: ClassVar[Checks] = {**_update_checks, "owner_id": check.path_segment}

    __slots__ = ()

    async def create(
        self,
        *,
        description: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[str] = NOT_GIVEN,
        acl: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        owner_id: NotGivenOr[str] = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Credential:
        """Create an authtoken. Save ``.token`` now: the API never returns it again.

        ``acl`` holds bind rules such as ``"bind:*.example.com"`` (none means unrestricted);
        ``description`` ≤ 255 bytes, ``metadata`` ≤ 4,096 bytes; ``owner_id`` a user or bot id.
        """
        extras = check.extras(extra_headers, extra_query)
        return await self._create(
            {"description": description, "metadata": metadata, "acl": acl, "owner_id": owner_id},
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
    ) -> Credential:
        """Change the fields passed; others are left out of the request and stay as they are.

        ``None`` is sent as JSON ``null`` (ngrok leaves the field unchanged); pass ``""`` or
        ``[]`` to clear a field.
        """
        extras = check.extras(extra_headers, extra_query)
        return await self._update(
            id, {"description": description, "metadata": metadata, "acl": acl}, extras
        )
