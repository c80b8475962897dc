"""ngrok_async: an async SDK for the ngrok REST API (asyncio and trio)."""

from typing import TYPE_CHECKING, Any

from ._attempt import in_doubt
from ._body import DEFAULT_MAX_RESPONSE_BYTES
from ._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncClient
from ._convert import from_dict, to_dict, to_json
from ._errors import (
    AmbiguousCreateError,
    AuthenticationError,
    BadRequestError,
    ClientStateError,
    ConflictError,
    CreatedButUndecodableError,
    EdgesDeprecatedError,
    EdgesReadOnlyError,
    EdgesUnavailableError,
    ErrorDetails,
    InvalidParameterError,
    NgrokAPIError,
    NgrokConnectionError,
    NgrokDecodeError,
    NgrokError,
    NgrokTimeoutError,
    NotFoundError,
    PagingLoopError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    UnsafeURLError,
)
from ._limits import Limiter, OpenableLimiter, RequestLimiter
from ._paging import Page
from ._types import NOT_GIVEN, NotGiven, RateLimit
from ._version import __version__

if TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport
    from .bulk import (
        BulkCancelledError,
        BulkProgress,
        BulkResult,
        BulkRun,
        Created,
        NotCreated,
        Outcome,
        Unknown,
    )
    from .journal import Journal, JournalEntry, JournalError, SQLiteJournal
    from .resources.credentials import Credential, CredentialRequest, CredentialsService
    from .resources.ssh import (
        SSHCertificateAuthoritiesService,
        SSHCertificateAuthority,
        SSHCredential,
        SSHCredentialRequest,
        SSHCredentialsService,
        SSHUserCertificate,
        SSHUserCertificateRequest,
        SSHUserCertificatesService,
    )

_LAZY = {
    "AiohttpTransport": "._aiohttp",
    **dict.fromkeys(
        (
            "BulkCancelledError",
            "BulkProgress",
            "BulkResult",
            "BulkRun",
            "Created",
            "NotCreated",
            "Outcome",
            "Unknown",
        ),
        ".bulk",
    ),
    **dict.fromkeys(("Journal", "JournalEntry", "JournalError", "SQLiteJournal"), ".journal"),
    **dict.fromkeys(
        ("Credential", "CredentialRequest", "CredentialsService"), ".resources.credentials"
    ),
    **dict.fromkeys(
        (
            "SSHCertificateAuthoritiesService",
            "SSHCertificateAuthority",
            "SSHCredential",
            "SSHCredentialRequest",
            "SSHCredentialsService",
            "SSHUserCertificate",
            "SSHUserCertificateRequest",
            "SSHUserCertificatesService",
        ),
        ".resources.ssh",
    ),
}


def __getattr__(name: str) -> Any:
    """Names whose modules load on first use: aiohttp's transport, bulk issuance, journals,
    the seed services and their records."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ngrok_async' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "in_doubt",
    "ResponseTooLargeError",
    "PagingLoopError",
    "ErrorDetails",
    "CreatedButUndecodableError",
    "ClientStateError",
    "AiohttpTransport",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AmbiguousCreateError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BulkCancelledError",
    "BulkProgress",
    "BulkResult",
    "BulkRun",
    "ConflictError",
    "Created",
    "EdgesDeprecatedError",
    "EdgesReadOnlyError",
    "EdgesUnavailableError",
    "Credential",
    "CredentialRequest",
    "CredentialsService",
    "InvalidParameterError",
    "Journal",
    "JournalEntry",
    "JournalError",
    "Limiter",
    "NgrokAPIError",
    "NgrokConnectionError",
    "NgrokDecodeError",
    "NgrokError",
    "NgrokTimeoutError",
    "NotCreated",
    "NotFoundError",
    "NotGiven",
    "OpenableLimiter",
    "Outcome",
    "Page",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RequestLimiter",
    "SQLiteJournal",
    "SSHCertificateAuthoritiesService",
    "SSHCertificateAuthority",
    "SSHCredential",
    "SSHCredentialRequest",
    "SSHCredentialsService",
    "SSHUserCertificate",
    "SSHUserCertificateRequest",
    "SSHUserCertificatesService",
    "ServerError",
    "Unknown",
    "UnsafeURLError",
    "__version__",
    "from_dict",
    "to_dict",
    "to_json",
]
