"""ngrok_async: an async SDK for the ngrok REST API (asyncio and trio).

Every public name loads its module on first use (PEP 562), so ``import ngrok_async`` (and the
command line's ``--help``) costs almost nothing; type checkers read the ``TYPE_CHECKING``
imports below. ``__all__`` and ``dir()`` list every name.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport
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

_LAZY: dict[str, str] = {
    "AiohttpTransport": "._aiohttp",
    "in_doubt": "._attempt",
    "DEFAULT_MAX_RESPONSE_BYTES": "._body",
    **dict.fromkeys(("AsyncClient", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"), "._client"),
    **dict.fromkeys(("from_dict", "to_dict", "to_json"), "._convert"),
    **dict.fromkeys(
        (
            "AmbiguousCreateError",
            "AuthenticationError",
            "BadRequestError",
            "ClientStateError",
            "ConflictError",
            "CreatedButUndecodableError",
            "EdgesDeprecatedError",
            "EdgesReadOnlyError",
            "EdgesUnavailableError",
            "ErrorDetails",
            "InvalidParameterError",
            "NgrokAPIError",
            "NgrokConnectionError",
            "NgrokDecodeError",
            "NgrokError",
            "NgrokTimeoutError",
            "NotFoundError",
            "PagingLoopError",
            "PermissionDeniedError",
            "RateLimitError",
            "ResponseTooLargeError",
            "ServerError",
            "UnsafeURLError",
        ),
        "._errors",
    ),
    **dict.fromkeys(("Limiter", "OpenableLimiter", "RequestLimiter"), "._limits"),
    "Page": "._paging",
    **dict.fromkeys(("NOT_GIVEN", "NotGiven", "RateLimit"), "._types"),
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
"""Each public name and the module that defines it."""


def __getattr__(name: str) -> Any:
    """The public names, each imported from its module on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ngrok_async' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "AiohttpTransport",
    "AmbiguousCreateError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BulkCancelledError",
    "BulkProgress",
    "BulkResult",
    "BulkRun",
    "ClientStateError",
    "ConflictError",
    "Created",
    "CreatedButUndecodableError",
    "Credential",
    "CredentialRequest",
    "CredentialsService",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "EdgesDeprecatedError",
    "EdgesReadOnlyError",
    "EdgesUnavailableError",
    "ErrorDetails",
    "from_dict",
    "in_doubt",
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
    "NOT_GIVEN",
    "NotCreated",
    "NotFoundError",
    "NotGiven",
    "OpenableLimiter",
    "Outcome",
    "Page",
    "PagingLoopError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RequestLimiter",
    "ResponseTooLargeError",
    "ServerError",
    "SQLiteJournal",
    "SSHCertificateAuthoritiesService",
    "SSHCertificateAuthority",
    "SSHCredential",
    "SSHCredentialRequest",
    "SSHCredentialsService",
    "SSHUserCertificate",
    "SSHUserCertificateRequest",
    "SSHUserCertificatesService",
    "to_dict",
    "to_json",
    "Unknown",
    "UnsafeURLError",
    "__version__",
]
