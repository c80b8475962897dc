"""Where a certificate goes next to its key (``<key>-cert.pub``) and writing it atomically, 0o644.

No SSH parsing here: :func:`ngrok_async.ssh_keys.write_certificate` checks the line first.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile

CERT_FILE_MODE = 0o644
"""Certificates are public, like ``.pub`` files: owner read/write, everyone read."""


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


def write_line(target: pathlib.Path, line: str) -> pathlib.Path:
    """Write ``line`` to ``target`` atomically: a temporary file in the same directory, made
    0o644, flushed to disk and renamed over ``target`` (readers see the old file or the new)."""
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
