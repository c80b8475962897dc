"""Writing an OpenSSH certificate next to its key: ``<key>-cert.pub``, atomically, 0o644."""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile
from typing import Protocol

CERT_FILE_MODE = 0o644
"""Certificates are public, like ``.pub`` files: owner read/write, everyone read."""


class HasCertificate(Protocol):
    @property
    def certificate(self) -> str: ...


def certificate_path(
    key_path: str | os.PathLike[str], *, directory: str | os.PathLike[str] | None = None
) -> pathlib.Path:
    """Where OpenSSH looks for the certificate of ``key_path`` (``id_ed25519`` or
    ``id_ed25519.pub`` → ``id_ed25519-cert.pub``), in ``directory`` when given."""
    path = pathlib.Path(key_path)
    if path.name.endswith("-cert.pub"):
        raise ValueError(f"{os.fspath(key_path)!r} is a certificate path, not a key path")
    stem = path.name[: -len(".pub")] if path.name.endswith(".pub") else path.name
    if not stem:
        raise ValueError(f"{os.fspath(key_path)!r} does not name a key file")
    return (pathlib.Path(directory) if directory is not None else path.parent) / f"{stem}-cert.pub"


def write_certificate(
    key_path: str | os.PathLike[str],
    certificate: str | HasCertificate,
    *,
    directory: str | os.PathLike[str] | None = None,
) -> pathlib.Path:
    """Save ``certificate`` as ``<key>-cert.pub`` next to ``key_path`` and return that path.

    ``key_path`` is the private key (``~/.ssh/id_ed25519``) or its ``.pub`` file; ``ssh`` then
    finds ``~/.ssh/id_ed25519-cert.pub`` by itself. ``certificate`` is the certificate line or
    a record with a ``certificate`` field (``SSHUserCertificate``); it must parse as an OpenSSH
    certificate. The line goes to a temporary file in the target directory, which is made
    0o644, flushed to disk and renamed over the target (``os.replace``): readers see the old
    certificate or the new one, never a partial file. Key files are never opened for writing.

    Raises:
        InvalidCertificateError: ``certificate`` is not an OpenSSH certificate.
        ValueError: ``key_path`` is itself a ``-cert.pub`` path.
        OSError: the directory is missing or not writable.
    """
    from .ssh_keys import InvalidCertificateError, parse_certificate

    text = (
        certificate if isinstance(certificate, str) else getattr(certificate, "certificate", None)
    )
    line = text.strip() if isinstance(text, str) else ""
    if not line or "\n" in line or "\r" in line:
        raise InvalidCertificateError("expected one OpenSSH certificate line")
    parse_certificate(line)
    target = certificate_path(key_path, directory=directory)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.chmod(temp, CERT_FILE_MODE)
            file.write(line + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return target
