"""The error codes the fake answers with, and the exception that carries one to the router.

Codes marked *documented* are the ones ngrok's error catalogue gives for that condition; the
few marked *fake-specific* have no documented counterpart (the live API answers an unknown route
or a wrong method with a code-less 404), so the fake picks a stable, recognisable value.
"""

from __future__ import annotations

from typing import Final

# -- authentication and protocol (documented) -------------------------------------------
MISSING_AUTH: Final = "ERR_NGROK_200"
"""401: no ``Authorization`` header."""
BAD_AUTH_HEADER: Final = "ERR_NGROK_201"
"""401: the ``Authorization`` header is not ``Bearer <key>``."""
INVALID_API_KEY: Final = "ERR_NGROK_203"
"""401: a well-formed bearer token that is not this fake's API key."""
INVALID_VERSION: Final = "ERR_NGROK_217"
"""400: ``Ngrok-Version`` is present but not ``2``."""
MISSING_VERSION: Final = "ERR_NGROK_218"
"""400: no ``Ngrok-Version`` header."""
UNPARSEABLE_BODY: Final = "ERR_NGROK_213"
"""400: the body is not a JSON object, or a field has the wrong JSON type."""

# -- limits (documented) -----------------------------------------------------------------
CONCURRENCY_LIMIT: Final = "ERR_NGROK_225"
"""429: more simultaneous requests than ``Faults.max_concurrent``."""
RATE_LIMIT: Final = "ERR_NGROK_226"
"""429: more requests than ``Faults.rate_limit`` allows in its rolling window."""

# -- paging (documented) -----------------------------------------------------------------
INVALID_ID: Final = "ERR_NGROK_223"
"""400: ``before_id`` is not an id of the listed kind."""
LIMIT_OUT_OF_RANGE: Final = "ERR_NGROK_233"
"""400: ``limit`` is a number outside 1..100."""
LIMIT_NOT_A_NUMBER: Final = "ERR_NGROK_244"
"""400: ``limit`` is not an integer."""

# -- fields (documented) -----------------------------------------------------------------
METADATA_TOO_LONG: Final = "ERR_NGROK_100"
"""400: ``metadata`` over 4096 UTF-8 bytes."""
DESCRIPTION_TOO_LONG: Final = "ERR_NGROK_504"
"""400: ``description`` over 255 UTF-8 bytes."""
INVALID_FIELD: Final = "ERR_NGROK_239"
"""400: a field value that is well-typed but not acceptable (e.g. a malformed ``owner_id``)."""
MISSING_FIELD: Final = "ERR_NGROK_239"
"""400: a field the spec marks required is absent (same code as other invalid fields)."""
INVALID_TIMESTAMP: Final = "ERR_NGROK_241"
"""400: ``valid_after`` / ``valid_until`` not RFC 3339, or ``valid_until`` not after it."""
INVALID_ACL_RULE: Final = "ERR_NGROK_600"
"""400: an ACL rule that is neither ``*`` nor ``bind:<something>``."""
MISSING_PUBLIC_KEY: Final = "ERR_NGROK_611"
"""400: ``public_key`` absent or empty."""
INVALID_PUBLIC_KEY: Final = "ERR_NGROK_612"
"""400: ``public_key`` is not a supported OpenSSH public key line."""
INVALID_CA_ID: Final = "ERR_NGROK_228"
"""400: ``ssh_certificate_authority_id`` absent, empty or not a string."""
INVALID_PRIVATE_KEY_TYPE: Final = "ERR_NGROK_1909"
"""400: ``private_key_type`` not one of ``ed25519``, ``ecdsa``, ``rsa``."""
INVALID_KEY_SIZE: Final = "ERR_NGROK_1939"
"""400: ``key_size`` not 2048 or 4096."""
KEY_SIZE_NOT_RSA: Final = "ERR_NGROK_1940"
"""400: ``key_size`` given for a non-RSA authority."""
INVALID_CURVE: Final = "ERR_NGROK_1941"
"""400: ``elliptic_curve`` not one of ``p256``, ``p384``, ``p521``."""
CURVE_NOT_ECDSA: Final = "ERR_NGROK_1942"
"""400: ``elliptic_curve`` given for a non-ECDSA authority."""

# -- not found -----------------------------------------------------------------------------
CA_NOT_FOUND: Final = "ERR_NGROK_1949"
"""404 (documented): certificate create names an SSH certificate authority that does not exist."""
NOT_FOUND: Final = "ERR_NGROK_404"
"""404 (fake-specific): no resource with that id, or no such route."""
INVALID_FILTER: Final = "ERR_NGROK_400"
"""400 (fake-specific): a ``filter=`` expression outside the supported CEL subset."""
CONFLICT: Final = "ERR_NGROK_409"
"""409 (fake-specific): a resource keyed by a field (an event source's ``type``) exists."""
METHOD_NOT_ALLOWED: Final = "ERR_NGROK_405"
"""405 (fake-specific): the route exists but not with this method (``Allow`` lists the rest)."""

# -- injected server faults (fake-specific) ------------------------------------------------
BAD_GATEWAY: Final = "ERR_NGROK_502"
"""502: ``Faults.p_bad_gateway_after`` fired (the work was done)."""
UNAVAILABLE: Final = "ERR_NGROK_503"
"""503: ``Faults.p_unavailable`` fired (no work was done)."""


class FakeAPIError(Exception):
    """Raised inside the fake to answer with an ngrok error body."""

    def __init__(
        self, status: int, code: str, msg: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {msg}")
        self.status = status
        self.code = code
        self.msg = msg
        self.headers = headers or {}


def bad_request(code: str, msg: str) -> FakeAPIError:
    return FakeAPIError(400, code, msg)


def not_found(kind_label: str, ident: str) -> FakeAPIError:
    return FakeAPIError(404, NOT_FOUND, f"{kind_label} {_quote(ident)} not found")


def _quote(value: object) -> str:
    return repr(str(value)[:80])
