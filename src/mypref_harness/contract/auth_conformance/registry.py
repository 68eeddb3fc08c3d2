"""The auth check registry: ``@auth_check`` registers a function under an id taken from its name and a
title taken from its docstring (both written once), with the rule it enforces (its basis)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mypref_harness.basis import Rule
from mypref_harness.contract.auth_conformance.outcomes import Outcome
from mypref_harness.contract.auth_conformance.probe import AuthProbe


@dataclass(frozen=True)
class AuthCheck:
    id: str
    title: str
    scheme: str  # "pnauth" | "oauth"
    rule: Rule
    run: Callable[[AuthProbe], Outcome]
    catches: tuple[str, ...] = ()

    @property
    def basis(self) -> str:
        return self.rule.basis.value


REGISTRY: dict[str, AuthCheck] = {}


def auth_check(
    scheme: str,
    rule: Rule,
    *,
    catches: Sequence[str] = (),
    variants: Mapping[str, str] | None = None,
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register a check; id ``<scheme>.<function name, '_' -> '-', scheme prefix dropped>``.

    The title is the docstring's first line. With ``variants`` (id suffix -> argument) the function
    takes the argument after the probe and is registered once per variant, its title formatted with it.
    """

    def register(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        name = fn.__name__.removeprefix(f"{scheme}_").strip("_").replace("_", "-")
        title = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        if not title:
            raise ValueError(f"auth check {fn.__name__} needs a docstring: its first line is the title")
        if variants is None:
            _add(AuthCheck(f"{scheme}.{name}", title, scheme, rule, fn, tuple(catches)))
            return fn
        for suffix, argument in variants.items():
            run = _bind(fn, argument)
            _add(
                AuthCheck(
                    f"{scheme}.{name}.{suffix}", title.format(argument), scheme, rule, run, tuple(catches)
                )
            )
        return fn

    return register


def _bind(fn: Callable[..., Outcome], argument: str) -> Callable[[AuthProbe], Outcome]:
    return lambda probe: fn(probe, argument)


def _add(check: AuthCheck) -> None:
    if check.id in REGISTRY:
        raise ValueError(f"duplicate auth check id {check.id}")
    REGISTRY[check.id] = check
