"""Where a spec's paths live on a server: the one reconciliation of the base URL with the spec.

Three things may each carry the API's prefix (``/Profiles/v4``): the base URL the user configures
(``MYPREF_BASE_URL``, by our convention ``https://host/Profiles/v4``), the spec's declared base path
(Swagger 2.0 ``basePath``, OpenAPI 3.x the first ``servers`` URL's path) and the spec's paths
themselves (``/Profiles/v4/{ClientId}/Profile``). :func:`reconcile` decides once where every request
goes, so that the prefix is sent exactly once, and :class:`ApiBase` is what everyone then uses:

- ``ApiBase.schemathesis_url``: Schemathesis's ``base-url``. Schemathesis 4.x ignores the spec's
  basePath/servers when it is given a base URL and requests ``base_url + "/" + path`` (as written in
  the spec; ``BaseOpenAPISchema.build_request_url``), so this is the origin, any gateway prefix and
  the spec's base path.
- ``ApiBase.url(path)``: the URL of a (filled-in) spec path, the same one Schemathesis requests.
  A path of our catalog ("/{clientId}/Programs", relative to the API root) gets the right URL too.
- ``ApiBase.root`` and ``ApiBase.relative(path)``: the API root (".../Profiles/v4") and a path
  relative to it, for a client that is given a host once (Locust).

The rule: the base URL's path ends where the spec's full path (base path + path) begins, over as
many segments as they share (compared case-insensitively: the vendor's server is ASP.NET). A base
URL with no path takes the prefix from the spec. A base path that every path repeats (servers
``.../Profiles/v4`` and paths ``/Profiles/v4/...``) is sent once. A base URL path and a spec base path
that share no segment cannot both be right: ConfigError showing the three parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mypref_harness.errors import ConfigError
from mypref_harness.spec.operations import operation_objects

# The vendor documents every operation under https://<host>/Profiles/v4 (API overview, "Base URL").
API_PREFIX = "/Profiles/v4"


def base_path(document: Mapping[str, Any]) -> str:
    """Path prefix of the API ("/Profiles/v4"): basePath (Swagger 2.0) or the first server's path (3.x),
    server variables at their defaults (as Schemathesis fills them)."""
    if str(document.get("swagger", "")).startswith("2."):
        return str(document.get("basePath", "")).rstrip("/")
    servers = document.get("servers") or [{"url": "/"}]
    url = str(servers[0].get("url", "/"))
    for name, variable in (servers[0].get("variables") or {}).items():
        if isinstance(variable, Mapping) and "default" in variable:
            url = url.replace("{" + str(name) + "}", str(variable["default"]))
    return urlsplit(url).path.rstrip("/")


def join(base_url: str, path: str) -> str:
    """``base_url`` and ``path`` with exactly one "/" between (no reconciliation: see :class:`ApiBase`)."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _as_path(segments: list[str]) -> str:
    return "".join("/" + part for part in segments)


def _same(left: list[str], right: list[str]) -> bool:
    return [part.lower() for part in left] == [part.lower() for part in right]


def _starts_with(path: list[str], prefix: list[str]) -> bool:
    return len(path) >= len(prefix) and _same(path[: len(prefix)], prefix)


@dataclass(frozen=True)
class ApiBase:
    """Where requests go: the origin + prefix everything shares, and how a spec path extends it.

    ``root`` is the API root URL (".../Profiles/v4" by convention); ``between`` the segments a spec
    path needs after the root (the part of the spec's base path the base URL does not cover, usually
    ""); ``carried`` the prefix the spec's paths carry that the root already covers ("/Profiles/v4"
    for a spec whose paths include it, usually "").
    """

    root: str
    between: str = ""
    carried: str = ""

    @property
    def schemathesis_url(self) -> str:
        """Schemathesis's ``base-url``: it appends each spec path, as written, to this."""
        root = urlsplit(self.root)
        path = _segments(root.path) + _segments(self.between)
        carried = _segments(self.carried)
        kept = path[: len(path) - len(carried)] if carried else path
        return f"{root.scheme}://{root.netloc}{_as_path(kept)}"

    def relative(self, path: str) -> str:
        """``path`` (a spec path, or one of our catalog's) as a path relative to :attr:`root`, "/"-led."""
        segments = _segments(path)
        carried = _segments(self.carried)
        if carried and _starts_with(segments, carried):
            return _as_path(segments[len(carried) :]) or "/"
        return self.between + "/" + path.lstrip("/")

    def url(self, path: str) -> str:
        """The request URL of a (filled-in) spec path: the URL Schemathesis requests for it."""
        return join(self.root, self.relative(path))


def plain_base(base_url: str) -> ApiBase:
    """The base URL as the API root, spec paths relative to it (our own spec's shape)."""
    return ApiBase(root=base_url.rstrip("/"))


def reconcile(base_url: str, document: Mapping[str, Any]) -> ApiBase:
    """The one decision of where the spec's paths go on the target at ``base_url``.

    ConfigError (showing the base URL, the spec's base path and its first path) when the base URL's
    path and the spec's base path share no segment, or when the spec's paths disagree among
    themselves about carrying the prefix.
    """
    parts = urlsplit(base_url.rstrip("/"))
    origin = f"{parts.scheme}://{parts.netloc}"
    declared = _segments(base_path(document))
    paths = [_segments(op.path) for op in operation_objects(document)]
    if declared and paths and all(_starts_with(path, declared) for path in paths):
        declared = []  # the base path written again in every path: the prefix is sent once, not twice
    first = next((op.path for op in operation_objects(document)), "(no paths)")
    configured = _segments(parts.path)
    if not configured:  # a host-only base URL: the spec says where the API root is
        configured = declared or (_segments(API_PREFIX) if _all_carry(paths, API_PREFIX) else [])
        return _reconciled(origin + _as_path(configured), configured, declared, paths, base_url, first)
    return _reconciled(base_url.rstrip("/"), configured, declared, paths, base_url, first)


def _all_carry(paths: list[list[str]], prefix: str) -> bool:
    return bool(paths) and all(_starts_with(path, _segments(prefix)) for path in paths)


def _reconciled(
    root: str, configured: list[str], declared: list[str], paths: list[list[str]], base_url: str, first: str
) -> ApiBase:
    overlaps = {_overlap(configured, declared + path) for path in paths} or {_overlap(configured, declared)}
    if len(overlaps) > 1:
        raise _conflict(
            base_url, declared, first, "the spec's paths disagree on whether they carry the base URL's path"
        )
    shared = overlaps.pop()
    if shared == 0 and declared and configured:
        raise _conflict(
            base_url, declared, first, "the base URL's path and the spec's base path share no segment"
        )
    between = declared[shared:] if shared < len(declared) else []
    carried = paths[0][: shared - len(declared)] if paths and shared > len(declared) else []
    return ApiBase(root=root, between=_as_path(between), carried=_as_path(carried))


def _overlap(configured: list[str], full: list[str]) -> int:
    """How many trailing segments of the base URL's path the spec's full path starts with (0 = none)."""
    for size in range(min(len(configured), len(full)), 0, -1):
        if _same(configured[len(configured) - size :], full[:size]):
            return size
    return 0


def _conflict(base_url: str, declared: list[str], first: str, reason: str) -> ConfigError:
    return ConfigError(
        f"cannot reconcile the base URL with the spec: {reason}: base URL {base_url}, "
        f"spec base path {_as_path(declared) or '(none)'} (basePath / servers), first path {first}; "
        f"set MYPREF_BASE_URL to the URL the spec's base path and paths are relative to"
    )
