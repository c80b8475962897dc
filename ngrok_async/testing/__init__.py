"""An in-memory ngrok API for tests: ``FakeNgrok``.

::

    from ngrok_async.testing import FakeNgrok, Faults

    fake = FakeNgrok(api_key="test", seed=1)
    async with fake.client() as ngrok:            # an ngrok_async.AsyncClient on the fake
        cred = await ngrok.credentials.create(description="ci")
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url) as http:
        ...                                       # or raw httpx
    async with fake.serve() as url:               # or a real socket (fake-server extra)
        ...
    transport = httpx.ASGITransport(app=fake)     # it is an ASGI app, for any ASGI server

``self_signed_certificate()`` makes a throwaway certificate and key for serving it over https.

It serves every service of ``spec/ngrok.yaml`` (and ``GET /vaults/{id}/secrets``) from a table
``tools/generate.py`` writes (``_api_table.json``). The seed services keep hand-written rules:
``/credentials``, ``/ssh_credentials``, ``/ssh_certificate_authorities``,
``/ssh_user_certificates``, ``/ssh_host_certificates`` and ``/api_keys`` (real SSH keys and real
OpenSSH certificates that ``ssh-keygen -L`` reads, ``token`` only on create). Every other service
gets the spec's rules: create 201 / get 200 / list 200 / update 200 / delete 204, module replace
(PUT) / get / delete on an edge or route, actions (``tunnel_sessions.restart``) 204; the response
fields the body sets (``<x>_id`` becomes the ``<x>`` reference ``{"id", "uri"}``); a reference the
API checks (``ip_policy_id``, ``backend_id``, ...) and every parent in a path (a route on a missing
edge) must exist (404). Routes and event sources show in their parent's ``routes`` / ``sources``;
deleting a parent deletes them. What the API creates itself (tunnel sessions, tunnels, application
sessions and users) is seeded with :meth:`FakeNgrok.add_resource`. Every body, for every service,
passes one rule first: the operation's schema (JSON types, no ``null`` inside a list, ``required``
fields at any depth), refused with the API's 400s.

Wire behaviour
    * Every request needs ``Authorization: Bearer <api_key>`` (else 401) and
      ``Ngrok-Version: 2`` (else 400). Errors are JSON: ``{"error_code": "ERR_NGROK_<n>",
      "status_code": <int>, "msg": "...", "details": {"operation_id": "op_..."}}``.
    * ``uri`` and ``next_page_uri`` are built on ``base_url`` over the transport, and on the
      served URL over :meth:`FakeNgrok.serve`, so clients can always follow them.
    * Ids are ``<prefix>_`` + 27 base62 characters sorting by creation (``cr_``, ``sshcr_``,
      ``sshca_``, ``sucrt_``). ``created_at`` is whole-second RFC 3339 with ``Z``.
    * Empty ``description`` / ``metadata`` are printed as ``""`` on every record kind, as ngrok
      prints them; other unset fields are left out. A credential's ``token`` is only in its
      create response (absent from get, list and update).
    * PATCH changes only the fields present; JSON ``null`` leaves a field unchanged. Unknown
      body fields are ignored (as Go's JSON decoder does); a create body may be empty.
    * Lists are newest first; ``limit`` defaults to 100 and must be 1..100; ``before_id`` is
      exclusive and works for deleted ids; ``next_page_uri`` is the full URL of the next page
      (``?before_id=<last id>&limit=<limit>``, plus ``&filter=`` when given) or ``null``.
    * ``filter=`` (on the 19 lists whose spec has it; ignored elsewhere, as ngrok does) takes
      ngrok's CEL subset with CEL's semantics (see ``_filter``): ``obj.<field>``, literals,
      ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` ``in`` ``&&`` ``||`` ``!``, ``size()``,
      ``.contains/.startsWith/.endsWith``, ``timestamp("<RFC 3339>")`` and
      ``timestamp(time.now).add/subtract("<duration>")`` against time fields. Anything else
      is a 400.
    * SSH certificate authorities: ``private_key_type`` ``ed25519`` (default), ``ecdsa``
      (``elliptic_curve`` ``p256``/``p384``/``p521``, default ``p384``) or ``rsa``
      (``key_size`` 2048/4096, default 4096). ``elliptic_curve`` / ``key_size`` with another
      type is a 400, as in the real API.
    * User certificates: key id = the certificate's id, random serial, requested principals
      (none = every principal), ``critical_options``, ``extensions`` (``permit-pty`` and
      ``permit-user-rc`` only when the field is absent; ``{}`` means none), ``valid_after``
      (default now), ``valid_until`` (default ``valid_after`` + 24 h; must be later). Times are
      truncated to whole seconds; Go's zero time ``0001-01-01T00:00:00Z`` counts as absent.
      An unknown ``ssh_certificate_authority_id`` is a 404 (``ERR_NGROK_1949``).

Codes the fake uses (constants: ``from ngrok_async.testing import codes``)
    ===============  ======  =====================================================
    ERR_NGROK_200    401     no Authorization header
    ERR_NGROK_201    401     Authorization is not ``Bearer <key>``
    ERR_NGROK_203    401     wrong API key
    ERR_NGROK_218    400     no Ngrok-Version header
    ERR_NGROK_217    400     Ngrok-Version is not 2
    ERR_NGROK_213    400     body not a JSON object, or a field of the wrong JSON type
    ERR_NGROK_223    400     ``before_id`` is not an id of the listed kind
    ERR_NGROK_233    400     ``limit`` outside 1..100
    ERR_NGROK_244    400     ``limit`` not an integer
    ERR_NGROK_504    400     description over 255 UTF-8 bytes
    ERR_NGROK_100    400     metadata over 4096 UTF-8 bytes
    ERR_NGROK_600    400     ACL rule neither ``*`` nor ``bind:...``
    ERR_NGROK_239    400     missing required field, or other invalid field (bad owner_id, ...)
    ERR_NGROK_241    400     bad RFC 3339 time, or valid_until not after valid_after
    ERR_NGROK_611    400     public_key missing or empty
    ERR_NGROK_612    400     public_key not a supported OpenSSH key
    ERR_NGROK_228    400     ssh_certificate_authority_id missing
    ERR_NGROK_1909   400     bad private_key_type
    ERR_NGROK_1939   400     key_size not 2048/4096
    ERR_NGROK_1940   400     key_size given for a non-RSA CA
    ERR_NGROK_1941   400     bad elliptic_curve
    ERR_NGROK_1942   400     elliptic_curve given for a non-ECDSA CA
    ERR_NGROK_1949   404     certificate create names an unknown CA
    ERR_NGROK_404    404     unknown id, or unknown route (fake-specific code)
    ERR_NGROK_405    405     wrong method on a known route, ``Allow`` set (fake-specific)
    ERR_NGROK_400    400     ``filter=`` outside the supported subset (fake-specific)
    ERR_NGROK_409    409     an event source of that type exists (fake-specific)
    ERR_NGROK_225    429     ``Faults.max_concurrent`` exceeded
    ERR_NGROK_226    429     ``Faults.rate_limit`` exceeded
    ERR_NGROK_502    502     injected bad gateway (fake-specific)
    ERR_NGROK_503    503     injected unavailability (fake-specific)
    ===============  ======  =====================================================

Faults (see :class:`Faults`) apply to every service; they are drawn from
``random.Random(seed)`` and counted in ``fake.stats``. Nothing here logs the API key or tokens;
recorded requests redact ``Authorization``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import _codes as codes
    from ._fake import DEFAULT_BASE_URL, FakeNgrok, RecordedRequest
    from ._faults import FakeStats, Faults
    from ._store import Store
    from ._tls import self_signed_certificate

# Loaded on first use, so that the pytest plugin (``pytest_plugin``) costs nothing to import.
_LAZY: dict[str, tuple[str, str | None]] = {
    "DEFAULT_BASE_URL": ("._fake", "DEFAULT_BASE_URL"),
    "FakeNgrok": ("._fake", "FakeNgrok"),
    "RecordedRequest": ("._fake", "RecordedRequest"),
    "FakeStats": ("._faults", "FakeStats"),
    "Faults": ("._faults", "Faults"),
    "Store": ("._store", "Store"),
    "self_signed_certificate": ("._tls", "self_signed_certificate"),
    "codes": ("._codes", None),
}

__all__ = [
    "DEFAULT_BASE_URL",
    "FakeNgrok",
    "FakeStats",
    "Faults",
    "RecordedRequest",
    "Store",
    "codes",
    "self_signed_certificate",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name, __name__)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
