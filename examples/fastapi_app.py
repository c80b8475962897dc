"""A FastAPI service that issues a short-lived SSH user certificate per request.

Run it (FastAPI is not a dependency of ngrok_async)::

    pip install ngrok-async fastapi uvicorn
    export NGROK_API_KEY=... NGROK_SSH_CA_ID=sshca_...
    uvicorn examples.fastapi_app:app

To run it against a fake API instead, serve ``FakeNgrok`` (``async with FakeNgrok().serve()
as url``) and point the unchanged app at it with ``NGROK_BASE_URL=<url>``: the client reads
``NGROK_API_KEY``, ``NGROK_BASE_URL`` and ``NGROK_LOG`` when they are not passed
(``tests/test_examples.py`` does exactly that).

    curl -X POST localhost:8000/certificates -H 'X-Forwarded-User: alice' \
         -H 'content-type: application/json' -d "{\"public_key\": \"$(cat ~/.ssh/id_ed25519.pub)\"}"

One ``AsyncClient`` serves the whole process: the lifespan opens it at start-up and closes it
at shutdown, so every request shares its connection pool, its rate limiter (ngrok allows 120
requests a minute per account) and its concurrency cap. Never create a client per request.

The principal comes from the caller's identity, never from the request body: here an
authenticating proxy (oauth2-proxy, an ingress) sets ``X-Forwarded-User``. Replace
``authenticated_user`` with your own authentication.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from pydantic import BaseModel

from ngrok_async import (
    AmbiguousCreateError,
    AsyncClient,
    InvalidParameterError,
    NgrokError,
    RateLimitError,
)

CA_ID = os.environ.get("NGROK_SSH_CA_ID", "")
VALID_FOR = timedelta(hours=8)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if not CA_ID:
        raise RuntimeError("set NGROK_SSH_CA_ID to the id of your SSH certificate authority")
    async with AsyncClient() as ngrok:  # the API key comes from NGROK_API_KEY
        app.state.ngrok = ngrok
        yield


app = FastAPI(title="SSH certificates", lifespan=lifespan)


def ngrok_client(request: Request) -> AsyncClient:
    client: AsyncClient = request.app.state.ngrok
    return client


def authenticated_user(x_forwarded_user: Annotated[str | None, Header()] = None) -> str:
    if not x_forwarded_user:
        raise HTTPException(401, detail="not authenticated")
    return x_forwarded_user


class CertificateRequest(BaseModel):
    public_key: str  # an OpenSSH line, checked locally by the SDK before any request


class CertificateResponse(BaseModel):
    id: str
    certificate: str  # save as ~/.ssh/id_<type>-cert.pub
    valid_until: datetime


@app.post("/certificates", status_code=201)
async def issue_certificate(
    body: CertificateRequest,
    user: Annotated[str, Depends(authenticated_user)],
    ngrok: Annotated[AsyncClient, Depends(ngrok_client)],
) -> CertificateResponse:
    try:
        cert = await ngrok.ssh_user_certificates.create(
            CA_ID,
            body.public_key,
            principals=[user],
            valid_for=VALID_FOR,  # counted from when the request is sent
            description=f"issued to {user} by the certificate service",
        )
    except InvalidParameterError as exc:
        raise HTTPException(422, detail=f"{exc.param}: {exc.reason}") from None
    except RateLimitError:
        raise HTTPException(
            503, detail="busy; retry shortly", headers={"Retry-After": "5"}
        ) from None
    except AmbiguousCreateError:
        # ngrok may have issued it; a second certificate for the same key and user is harmless,
        # so the caller may simply retry.
        raise HTTPException(502, detail="the certificate may not have been issued; retry") from None
    except NgrokError:
        raise HTTPException(502, detail="ngrok could not issue the certificate") from None
    return CertificateResponse(
        id=cert.id, certificate=cert.certificate, valid_until=cert.valid_until
    )
