"""Every generated record and nested request type, importable by name.

Records (``ReservedDomain``, ``EndpointOAuth`` …) are what the API returns; ``…Param`` TypedDicts
are what a request's nested fields take (a record read from the API is accepted in their
place)::

    from ngrok_async.types import EndpointOAuthParam, EndpointOAuthGoogleParam

Importing this module loads every generated module; ``import ngrok_async`` alone does not.
The hand-written records (``Credential``, ``SSHCredential`` …) are in :mod:`ngrok_async`.
"""

from .resources._generated import *  # noqa: F403
from .resources._generated import __all__ as __all__
