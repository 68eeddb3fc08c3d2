"""Where a spec's paths live on a server: the document's base path and joining a base URL with a path.

A spec path ("/{clientId}/Profile") is relative to the API's base URL
("https://host/Profiles/v4"); the base URL carries the prefix, the spec's paths never do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse


def base_path(document: Mapping[str, Any]) -> str:
    """Path prefix of the API ("/Profiles/v4"): basePath (Swagger 2.0) or the first server's path (3.x)."""
    if str(document.get("swagger", "")).startswith("2."):
        return str(document.get("basePath", "")).rstrip("/")
    servers = document.get("servers") or [{"url": "/"}]
    return urlparse(str(servers[0].get("url", "/"))).path.rstrip("/")


def join(base_url: str, path: str) -> str:
    """The URL of a (filled-in) spec path on the API at ``base_url``, with exactly one "/" between."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")
