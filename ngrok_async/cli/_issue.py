"""``ngrok-async ssh-user-certificates issue``: certificates for many keys, written to disk."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio.to_thread
import attrs
import click

from .. import (
    NOT_GIVEN,
    BulkResult,
    Outcome,
    SSHCertificateAuthority,
    SSHUserCertificate,
    SSHUserCertificatesService,
)
from .. import SSHUserCertificateRequest as Request
from ..ssh_keys import CertificateVerificationError, write_certificate
from ._common import (
    ApiOptions,
    api_options,
    echo_json,
    json_option,
    open_session,
    rich_console,
    run_command,
)
from ._introspect import DURATION
from ._journal import HELP as JOURNAL_HELP
from ._journal import journal_from, remembered_until
from ._values import Text


@attrs.frozen
class Item:
    """What happened to one key."""

    key: pathlib.Path
    outcome: Outcome
    id: str | None = None
    file: pathlib.Path | None = None
    error: str | None = None
    reconciled: bool = False

    @property
    def ok(self) -> bool:
        return self.file is not None

    def as_data(self) -> dict[str, Any]:
        return {
            "key": str(self.key),
            "outcome": self.outcome.value,
            "id": self.id,
            "certificate_file": None if self.file is None else str(self.file),
            "reconciled": self.reconciled,
            "error": self.error,
        }

    def line(self) -> str:
        if self.ok:
            return f"issued {self.key} -> {self.file} ({self.id})"
        if self.outcome is Outcome.CREATED:
            return f"FAILED {self.key}: {self.id} was issued but {self.error}"
        if self.outcome is Outcome.UNKNOWN:
            return f"UNKNOWN {self.key}: {self.error} (it may exist; list before retrying)"
        return f"FAILED {self.key}: not created: {self.error}"


def key_files(keys: tuple[pathlib.Path, ...], keys_dir: pathlib.Path | None) -> list[pathlib.Path]:
    """The public keys named, then every ``*.pub`` (not ``*-cert.pub``) in ``keys_dir``."""
    found = list(keys)
    if keys_dir is not None:
        found += sorted(
            path
            for path in keys_dir.iterdir()
            if path.name.endswith(".pub") and not path.name.endswith("-cert.pub")
        )
    return list(dict.fromkeys(found))


async def finish(
    result: BulkResult[Request, SSHUserCertificate],
    ca: SSHCertificateAuthority,
    out_dir: pathlib.Path | None,
) -> Item:
    """Verify a new certificate against the CA and the key, then write ``<key>-cert.pub``."""
    key = pathlib.Path(result.request.public_key)  # type: ignore[arg-type]
    cert = result.record
    if cert is None:
        return Item(key, result.outcome, error=str(result.error))
    item = Item(key, result.outcome, id=cert.id, reconciled=result.reconciled)
    try:
        cert.verify(ca)
        path = await anyio.to_thread.run_sync(
            lambda: write_certificate(key, cert, directory=out_dir)
        )
    except CertificateVerificationError as exc:
        return attrs.evolve(item, error=f"it did not verify: {exc}")
    except (OSError, ValueError) as exc:
        return attrs.evolve(item, error=f"could not be written: {exc}")
    return attrs.evolve(item, file=path)


class Reporter:
    """Progress and results: a rich bar on a terminal, one line per key otherwise, or JSON."""

    def __init__(self, total: int, as_json: bool) -> None:
        self.items: list[Item] = []
        self._json = as_json
        self._console = None if as_json else rich_console()
        self._progress: Any = None
        if self._console is not None:
            from rich.progress import Progress

            self._progress = Progress(console=self._console)
            self._task = self._progress.add_task("issuing", total=total)
            self._progress.start()

    def add(self, item: Item) -> None:
        self.items.append(item)
        if self._progress is not None:
            if not item.ok:
                self._progress.console.print(item.line(), markup=False, highlight=False)
            self._progress.advance(self._task)
        elif not self._json:
            click.echo(item.line(), err=not item.ok)

    def close(self) -> int:
        if self._progress is not None:
            self._progress.stop()
        items = self.items
        failed = [item for item in items if not item.ok]
        if self._json:
            echo_json([item.as_data() for item in items])
        unknown = sum(item.outcome is Outcome.UNKNOWN for item in failed)
        not_created = sum(item.outcome is Outcome.NOT_CREATED for item in failed)
        reconciled = sum(item.reconciled for item in items)
        summary = f"issued {len(items) - len(failed)}/{len(items)} certificates"
        if reconciled:
            summary += f" ({reconciled} found by reconciliation after an ambiguous failure)"
        if failed:
            summary += (
                f"; {len(failed)} failed: {not_created} not created, {unknown} unknown, "
                f"{len(failed) - not_created - unknown} issued but not written"
            )
        click.echo(summary, err=self._json or bool(failed))
        return 1 if failed else 0


async def issue(
    options: ApiOptions,
    *,
    ca_id: str | None,
    principals: tuple[str, ...],
    valid_for: timedelta,
    description: str | None,
    keys: tuple[pathlib.Path, ...],
    keys_dir: pathlib.Path | None,
    out_dir: pathlib.Path | None,
    concurrency: int,
    reconcile: bool,
    as_json: bool,
    journal: str | None = None,
) -> int:
    files = key_files(keys, keys_dir)
    if not files:
        raise click.UsageError("give KEY.pub files or a --keys-dir holding *.pub keys")
    async with open_session(options, max_concurrency=concurrency) as session:
        ca_id = ca_id or session.sample_ca_id
        if ca_id is None:
            raise click.UsageError("--ca SSHCA_ID is required (without --fake)")
        ca = await session.ngrok.ssh_certificate_authorities.get(ca_id)
        until = None  # without a journal each certificate's window starts when it is sent
        if journal is not None:  # a resumed run asks for the same expiry as the first one
            first = datetime.now(timezone.utc).replace(microsecond=0) + valid_for
            until = await remembered_until(journal, SSHUserCertificatesService._path, first)

        def requests() -> Iterator[Request]:
            for path in files:
                yield Request(
                    ca.id,
                    path,
                    principals=list(principals),
                    valid_for=valid_for if until is None else NOT_GIVEN,
                    valid_until=NOT_GIVEN if until is None else until,
                    description=description or f"ngrok-async issue {path.name}",
                )

        reporter = Reporter(len(files), as_json)
        try:
            ssh_user_certificates = session.ngrok.ssh_user_certificates
            async with ssh_user_certificates.create_many(
                requests(),
                concurrency=concurrency,
                reconcile=reconcile,
                journal=None if journal is None else journal_from(journal),
            ) as results:
                async for result in results:
                    reporter.add(await finish(result, ca, out_dir))
        finally:
            status = reporter.close()
    return status


@click.command(
    "issue",
    help="Issue SSH user certificates for many public keys at once and write each as "
    "<key>-cert.pub next to its key (or in --out-dir). Exits 1 if any key failed.",
)
@click.argument(
    "keys", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path)
)
@click.option(
    "--ca",
    "ca_id",
    metavar="SSHCA_ID",
    help="Certificate authority id (optional with --fake: its sample CA).",
)
@click.option(
    "--principal",
    "principals",
    multiple=True,
    required=True,
    metavar="NAME",
    help="User name the certificate is valid for (repeatable).",
)
@click.option(
    "--valid-for",
    type=Text(DURATION),
    default="24h",
    show_default=True,
    help="Validity from now: 8h, 30m, 1h30m, 7d.",
)
@click.option("--description", help="Certificate description (default: names the key file).")
@click.option(
    "--keys-dir",
    type=click.Path(exists=True, file_okay=False, path_type=pathlib.Path),
    help="Also issue for every *.pub in DIR (not *-cert.pub).",
)
@click.option(
    "--out-dir",
    type=click.Path(exists=True, file_okay=False, path_type=pathlib.Path),
    help="Write certificates here instead of next to each key.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests in flight.",
)
@click.option(
    "--reconcile/--no-reconcile",
    default=True,
    show_default=True,
    help="Mark each certificate's metadata so that a failure which may have issued it is "
    "looked up, not guessed.",
)
@click.option("--journal", metavar="FILE|redis://HOST:6379/0#NAME", help=JOURNAL_HELP)
@json_option
@api_options
def issue_command(**params: Any) -> None:
    run_command(issue, params)
