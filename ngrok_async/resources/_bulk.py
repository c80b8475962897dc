"""Bulk issuance for the services that have it: one generic ``create_many``.

Only ``credentials``, ``ssh_credentials`` and ``ssh_user_certificates`` carry
:class:`BulkCreateService`; the engine (:mod:`ngrok_async.bulk`) and journals load on the
first ``create_many`` call, not when this module is imported.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import attrs

from .._errors import InvalidParameterError
from .._types import DEFAULT_CLOCK_SKEW
from ._base import FilteredResourceService, ResourceService

if TYPE_CHECKING:
    from .._reconcile import Marked
    from ..bulk import BulkOps, BulkProgress, BulkRun
    from ..journal import Journal

Q = TypeVar("Q")
R = TypeVar("R", bound="Marked")


class BulkCreateService(ResourceService[R], Generic[Q, R]):
    """A collection whose ``create`` also runs in bulk, from ``request`` records (attrs
    classes with ``create``'s fields)."""

    _request: ClassVar[type[Any]]

    __slots__ = ()

    def _same(self, body: Mapping[str, Any], record: R) -> bool:
        """Whether a listed ``record`` that carries a bulk marker matches the create ``body``."""
        return True

    def create_many(
        self,
        requests: Iterable[Q] | AsyncIterable[Q],
        *,
        concurrency: int = 8,
        reconcile: bool = False,
        max_attempts: int = 3,
        reconcile_delay: float = 1.0,
        clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
        on_progress: Callable[[BulkProgress], object] | None = None,
        journal: Journal | str | os.PathLike[str] | None = None,
        key: Callable[[Q], str] | None = None,
        on_created: Callable[[R], object] | None = None,
    ) -> BulkRun[Q, R]:
        """Create many resources concurrently; options and outcomes in :mod:`ngrok_async.bulk`.

        ``async with ngrok.credentials.create_many(reqs) as results: async for r in results:``.
        Reconciliation matches the marker, and for SSH keys and certificates the public key
        (and the CA). A credential found by reconciliation has no ``token`` (the API returns
        it only once): delete it and create it again if you need the token.
        """
        from ..bulk import BulkRun

        return BulkRun(
            requests,
            self._bulk_ops(),
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

    def _bulk_ops(self) -> BulkOps[Q, R]:
        """What :class:`~ngrok_async.bulk.BulkRun` needs to create ``request`` items."""
        request_type = self._request

        def body(request: Q) -> dict[str, Any]:
            if not isinstance(request, request_type):
                raise InvalidParameterError(
                    "request", f"must be a {request_type.__name__}, got {type(request).__name__}"
                )
            return self._create_body(attrs.asdict(request, recurse=False))

        def newest_first(filter: str | None) -> AsyncIterator[R]:
            if isinstance(self, FilteredResourceService):
                return self.list(limit=100, filter=filter)
            return self.list(limit=100)  # unfiltered: the reconciler stops at the time itself

        from ..bulk import BulkOps

        return BulkOps(
            body=body,
            create=self._post,
            newest_first=newest_first,
            decode=self._decode,
            job=self._path,
            same=self._same,
        )
