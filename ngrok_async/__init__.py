"""ngrok_async: an async SDK for the ngrok REST API (asyncio and trio)."""

from ._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncClient
from ._convert import from_dict, to_dict, to_json
from ._errors import (
    AmbiguousCreateError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidParameterError,
    NgrokAPIError,
    NgrokConnectionError,
    NgrokDecodeError,
    NgrokError,
    NgrokTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnsafeURLError,
)
from ._paging import Page
from ._types import NOT_GIVEN, NotGiven, RateLimit
from ._version import __version__
from .bulk import BulkCancelledError, BulkProgress, BulkResult, BulkRun, Outcome
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

__all__ = [
    "DEFAULT_BASE_URL",
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
    "Credential",
    "CredentialRequest",
    "CredentialsService",
    "InvalidParameterError",
    "NgrokAPIError",
    "NgrokConnectionError",
    "NgrokDecodeError",
    "NgrokError",
    "NgrokTimeoutError",
    "NotFoundError",
    "NotGiven",
    "Outcome",
    "Page",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "SSHCertificateAuthoritiesService",
    "SSHCertificateAuthority",
    "SSHCredential",
    "SSHCredentialRequest",
    "SSHCredentialsService",
    "SSHUserCertificate",
    "SSHUserCertificateRequest",
    "SSHUserCertificatesService",
    "ServerError",
    "UnsafeURLError",
    "__version__",
    "from_dict",
    "to_dict",
    "to_json",
]
