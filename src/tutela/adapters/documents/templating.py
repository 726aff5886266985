"""The one Jinja2 environment every document renders with: the package's templates, every
value escaped, and a missing value an error rather than an empty string."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@functools.cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("tutela.adapters.documents", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
