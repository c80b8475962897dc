"""The API command tree, built lazily from the index in :mod:`._commands`.

``ngrok-async --help``, ``ngrok-async edges --help`` and shell completion list every service
and operation from the index alone (click's lazy-group pattern): no service module, no httpx,
no fake is imported. A command is built only when it runs or shows its own ``--help``; then
only the service it names is imported and read (:mod:`._introspect`), and the fake only for
``--fake``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from ._commands import OPERATIONS, SERVICES

Target = tuple[str, str]
"""A command defined elsewhere, loaded when used: (``"module:attribute"``, one-line help)."""


def _load(target: str) -> click.Command:
    module, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    return command


class LazyGroup(click.Group):
    """A group whose commands load on use; ``lazy`` names them with their one-line help."""

    def __init__(
        self, name: str | None = None, *, lazy: Mapping[str, Target] = {}, **kwargs: Any
    ) -> None:
        super().__init__(name, **kwargs)
        self.lazy: dict[str, Target] = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.lazy:
            command = self.commands[cmd_name] = _load(self.lazy[cmd_name][0])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing from the one-line helps alone: nothing is imported to print it."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                rows.append((name, self._lazy_help(name, limit)))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _lazy_help(self, name: str, limit: int) -> str:
        # click's own shortening, as for a loaded command
        return click.Command(name, help=self.lazy[name][1]).get_short_help_str(limit)


class ServiceGroup(LazyGroup):
    """``ngrok-async edges``, ``ngrok-async edges https``: a namespace or a service of the
    client (``path`` is its attribute path); each operation's command is built on use."""

    def __init__(self, name: str, path: str, *, extra: Mapping[str, Target] = {}) -> None:
        self.path = path
        service = SERVICES.get(path)
        help_text = service[1] if service else f"The {name} services."
        lazy: dict[str, Target] = dict(extra)
        self._deprecated: set[str] = set()
        for command, short, deprecated in OPERATIONS.get(path, ()):
            lazy[command] = ("", short)
            if deprecated:
                self._deprecated.add(command)
        super().__init__(name, lazy=lazy, help=help_text)
        self._children = {
            word: child for word, child in _children(path).items() if word not in lazy
        }
        self.lazy.update({word: ("", _help_of(child)) for word, child in self._children.items()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in self._children:
            group = ServiceGroup(cmd_name, self._children[cmd_name])
            self.commands[cmd_name] = group
            return group
        target = self.lazy.get(cmd_name)
        if target is None:
            return None
        if target[0]:
            return super().get_command(ctx, cmd_name)
        command = self.commands[cmd_name] = _operation_command(self.path, cmd_name)
        return command

    def _lazy_help(self, name: str, limit: int) -> str:
        if name not in self._deprecated:
            return super()._lazy_help(name, limit)
        return f"{super()._lazy_help(name, limit - len(DEPRECATED))}{DEPRECATED}"


DEPRECATED = " (deprecated)"
"""Appended to the one-line help of an operation ngrok deprecated (as the command's own)."""


def _children(path: str) -> dict[str, str]:
    """The next words under ``path`` (``""`` for the top): word → attribute path."""
    depth = path.count(".") + 1 if path else 0
    prefix = f"{path}." if path else ""
    out = {}
    for service in SERVICES:
        if service.startswith(prefix):
            part = service.split(".")[depth]
            out[part.replace("_", "-")] = prefix + part
    return out


def _help_of(path: str) -> str:
    service = SERVICES.get(path)
    return service[1] if service else f"The {path.rsplit('.', 1)[-1]} services."


def _operation_command(path: str, command_name: str) -> click.Command:
    """Import the one service ``path`` names, read it, and build ``command_name``'s command."""
    from . import _api, _introspect

    target = SERVICES[path][0]
    module, _, attribute = target.partition(":")
    cls = getattr(importlib.import_module(module), attribute)
    for op in _introspect.operations(path, cls):
        if op.command_name == command_name:
            return _api.operation_command(op)
    raise click.UsageError(f"no command {command_name!r} in {path}")  # a stale index


def top_level(extra: Mapping[str, Mapping[str, Target]]) -> dict[str, click.Command]:
    """The top-level service words (``credentials``, ``edges``…), with ``extra`` commands
    (word → command → target) added to the services they belong to."""
    return {
        word: ServiceGroup(word, path, extra=extra.get(word, {}))
        for word, path in _children("").items()
    }
