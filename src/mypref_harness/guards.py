"""Guards a run passes before it sends anything: the production host, loopback, reachability.

``guard_production`` refuses the vendor's production hosts unless the user opted in; ``is_loopback``
tells the sandbox and local servers apart; ``check_reachable`` TCP-connects to a configured target so
an unreachable one ends the run in seconds with one line (exit 3); ``missing_api_prefix`` explains a
404 that the base URL, not the ClientId, is to blame for.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from mypref_harness.config import Target
from mypref_harness.errors import ConfigError, TargetUnreachable
from mypref_harness.spec.paths import API_PREFIX

# Production hosts of the vendor; staging hosts carry "stg" in their first label (pmstg, authstg).
_VENDOR_DOMAINS = ("mypreferences.com", "possiblenow.com")


def _host(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.lower() if host else None


def is_vendor_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in _VENDOR_DOMAINS)


def is_production_host(host: str) -> bool:
    """A vendor host that is not staging: pm.mypreferences.com yes, pmstg/authstg no."""
    host = host.lower().rstrip(".")
    if not is_vendor_host(host):
        return False
    first_label = host.split(".")[0]
    return "stg" not in first_label and "staging" not in first_label


def is_production(target: Target) -> bool:
    """True when the API or token URL points at the vendor's production (not staging) hosts.

    Load and destructive contract runs call this and refuse unless the user opted in explicitly.
    """
    hosts = [h for h in (_host(target.base_url), _host(target.token_url)) if h]
    return any(is_production_host(h) for h in hosts)


def guard_production(target: Target, *, allow: bool, action: str = "send test traffic to") -> None:
    """Refuse a run against the vendor's production hosts unless ``--allow-production`` was given.

    Called before anything is sent (before the reachability probe too): the name alone decides.
    """
    if is_production(target) and not allow:
        raise ConfigError(
            f"refusing to {action} the production host of {target.base_url or target.token_url}; "
            "pass --allow-production if you really mean it"
        )


def missing_api_prefix(base_url: str | None) -> str | None:
    """A hint when the base URL's path lacks /Profiles/v4 (a 404 for the ClientId is then the URL's fault)."""
    if not base_url:
        return None
    path = urlsplit(base_url).path.rstrip("/")
    if path.lower().endswith(API_PREFIX.lower()):
        return None
    return (f"the base URL {base_url} does not end with the API prefix {API_PREFIX} "
            f"(e.g. https://pmstg.mypreferences.com{API_PREFIX})")


def is_loopback(url: str | None) -> bool:
    host = _host(url)
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_reachable(target: Target, *, timeout: float = 3.0) -> None:
    """TCP-connect to the configured API (and token) host; raise TargetUnreachable with one line.

    Only for configured targets: an embedded target has nothing to probe before it is started.
    """
    urls = [target.base_url] + ([target.token_url] if target.auth == "oauth" else [])
    for url in urls:
        if url:
            _probe(url, timeout)


def _probe(url: str, timeout: float) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TargetUnreachable(f"cannot resolve {host} (DNS: {exc.strerror or exc})") from None
    last: str = "no address"
    for family, socktype, proto, _name, address in infos:
        sock = socket.socket(family, socktype, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
            return
        except TimeoutError:
            last = f"connection to {where} timed out after {timeout:g} s"
        except ConnectionRefusedError:
            last = f"connection to {where} refused (nothing listening?)"
        except OSError as exc:
            last = f"cannot connect to {where}: {exc.strerror or exc}"
        finally:
            sock.close()
    raise TargetUnreachable(f"{url}: {last}")
