"""What the tests need to know about the operations ngrok deprecated (2025-12-31).

``pyproject.toml`` turns the SDK's deprecation warnings into errors, so a test that calls a
deprecated operation says so: :func:`expect` around one call (warns exactly when the service is
deprecated), or :data:`ALLOW` as a mark on a test that exercises many of them on purpose.
"""

from __future__ import annotations

import contextlib
import pathlib
import sys
import warnings
from collections.abc import Iterator

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "tools"))
from codegen.overrides import replacement

MESSAGE = r"client\..* is deprecated \(ngrok"
ALLOW = pytest.mark.filterwarnings(r"ignore:client\..*is deprecated \(ngrok:DeprecationWarning")
"""Mark for a test that calls deprecated operations on purpose (the fake's own tests)."""


def deprecated(tag: str) -> bool:
    """Whether ngrok deprecated the service of spec tag ``tag``."""
    return replacement(tag) is not None


@contextlib.contextmanager
def expect(tag: str) -> Iterator[None]:
    """A call of the service ``tag`` warns once if it is deprecated, and not at all otherwise."""
    if deprecated(tag):
        with pytest.warns(DeprecationWarning, match=MESSAGE) as record:
            yield
        assert len([w for w in record if issubclass(w.category, DeprecationWarning)]) == 1
        assert str(replacement(tag)) in str(record[0].message)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            yield
