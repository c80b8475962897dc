"""Tunnel credentials: ngrok agent authtokens (``/credentials``)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import ClassVar

import attrs

from .. import _validate as check
from .._types import NOT_GIVEN, NotGivenOr
from ..bulk import DEFAULT_CLOCK_SKEW, BulkProgress, BulkRun
from ..journal import Journal
from ._base import Checks, ResourceService


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


class CredentialsService(ResourceService[Credential]):
    """Tunnel authtoken credentials: ``client.credentials``."""

    path = "/credentials"
    record = Credential
    list_key = "credentials"
    update_checks: ClassVar[Checks] = {
        "description": check.description,
        "metadata": check.metadata,
        "acl": check.string_list,
    }
    create_checks: ClassVar[Checks] = {**update_checks, "owner_id": check.path_segment}

    __slots__ = ()

    async def create(
        self,
        *,
        description: NotGivenOr[str] = NOT_GIVEN,
        metadata: NotGivenOr[str] = NOT_GIVEN,
        acl: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        owner_id: NotGivenOr[str] = NOT_GIVEN,
    ) -> Credential:
        """Create an authtoken. Save ``.token`` now: the API never returns it again.

        ``acl`` holds bind rules such as ``"bind:*.example.com"`` (none means unrestricted);
        ``description`` ≤ 255 bytes, ``metadata`` ≤ 4,096 bytes; ``owner_id`` a user or bot id.
        """
        return await self._create(
            {"description": description, "metadata": metadata, "acl": acl, "owner_id": owner_id}
        )

    async def update(
        self,
        id: str,
        *,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        metadata: NotGivenOr[str | None] = NOT_GIVEN,
        acl: NotGivenOr[Sequence[str] | None] = NOT_GIVEN,
    ) -> Credential:
        """Change the fields passed; others are left out of the request and stay as they are.

        ``None`` is sent as JSON ``null`` (ngrok leaves the field unchanged); pass ``""`` or
        ``[]`` to clear a field.
        """
        return await self._update(
            id, {"description": description, "metadata": metadata, "acl": acl}
        )

    def create_many(
        self,
        requests: Iterable[CredentialRequest] | AsyncIterable[CredentialRequest],
        *,
        concurrency: int = 8,
        reconcile: bool = False,
        max_attempts: int = 3,
        reconcile_delay: float = 1.0,
        clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
        on_progress: Callable[[BulkProgress], object] | None = None,
        journal: Journal | str | os.PathLike[str] | None = None,
        key: Callable[[CredentialRequest], str] | None = None,
        on_created: Callable[[Credential], object] | None = None,
    ) -> BulkRun[CredentialRequest, Credential]:
        """Create credentials concurrently; options and outcomes in :mod:`ngrok_async.bulk`.

        ``async with ngrok.credentials.create_many(reqs) as results: async for r in results:``.
        A credential found by reconciliation has no ``token`` (the API returns it only once):
        delete it and create it again if you need the token.
        """
        return BulkRun(
            requests,
            self._bulk_ops(CredentialRequest),
            concurrency=concurrency,
            reconcile=reconcile,
            max_attempts=max_attempts,
            reconcile_delay=reconcile_delay,
            clock_skew=clock_skew,
            on_progress=on_progress,
            journal=journal,
            key=key,
            on_created=on_created,
        )
