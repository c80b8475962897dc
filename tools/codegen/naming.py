"""Names derived from the spec: method names, titles, namespace classes."""

from __future__ import annotations

import re


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def method_name(op_id: str, tag: str) -> str:
    """``ReservedDomainsDeleteCertificate`` (tag ``ReservedDomains``) -> ``delete_certificate``."""
    if not op_id.lower().startswith(tag.lower()):
        raise SystemExit(f"operationId {op_id} does not start with its tag {tag}")
    return snake(op_id[len(tag) :])


def title(tag: str) -> str:
    """``EdgeRouteOAuthModule`` -> ``Edge Route OAuth Module``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", tag)
    return words.replace("O Auth", "OAuth")


def ns_class(ns: str) -> str:
    """``edge_modules`` -> ``EdgeModulesNamespace``."""
    return "".join(part.title() for part in ns.split("_")) + "Namespace"
