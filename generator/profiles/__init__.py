"""The profile registry: vendor behaviour looked up by name (as botocore's `AUTH_TYPE_MAPS`), never branched on.

A spec selects its profile explicitly with `info.x-profile: <name>`, or implicitly through the `x-signing` names of
its security schemes (the one profile that signs for all of them); a spec that does neither gets `plain`. Conflicts
are problems, never guesses. Adding a vendor is one package here whose `PROFILE` is its `Profile`: the registry
finds it (see docs/profiles.md).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from generator.errors import Problem, pointer
from generator.loader import LoadedSpec
from generator.profiles.base import Profile

__all__ = ["PROFILES", "Profile", "discover", "resolve"]


def discover() -> dict[str, Profile]:
    """Every profile package beside this module, by name (`plain` first, then in name order)."""
    found: dict[str, Profile] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: (m.name != "plain", m.name)):
        if not module.ispkg:
            continue
        profile = getattr(importlib.import_module(f"{__name__}.{module.name}"), "PROFILE", None)
        if not isinstance(profile, Profile) or profile.name != module.name:
            raise TypeError(f"{__name__}.{module.name} must define PROFILE, a Profile named {module.name!r}")
        found[profile.name] = profile
    return found


PROFILES: Mapping[str, Profile] = discover()


def resolve(spec: LoadedSpec) -> tuple[Profile, list[Problem]]:
    """The profile `spec` selects, and the problems with that selection (the profile is `plain` when unresolved)."""
    problems: list[Problem] = []
    document = spec.document
    info = document.get("info")
    info = info if isinstance(info, dict) else {}
    components = document.get("components")
    schemes = (components.get("securitySchemes") if isinstance(components, dict) else None) or {}
    schemes = schemes if isinstance(schemes, dict) else {}
    signing_of = {
        name: scheme["x-signing"]
        for name, scheme in schemes.items()
        if isinstance(scheme, dict) and isinstance(scheme.get("x-signing"), str)
    }
    owners: dict[str, str] = {}
    for name, signing in signing_of.items():
        owner = next((p.name for p in PROFILES.values() if signing in p.signings), None)
        if owner is None:
            known = sorted(s for p in PROFILES.values() for s in p.signings)
            problems.append(
                spec.problem(
                    pointer("components", "securitySchemes", name, "x-signing"),
                    "profile.unknown-signing",
                    f"no profile signs {signing!r}; known: {', '.join(known)}",
                )
            )
        else:
            owners[name] = owner
    explicit = info.get("x-profile")
    if explicit is not None:
        if explicit not in PROFILES:
            problems.append(
                spec.problem(
                    "/info/x-profile", "profile.unknown", f"unknown profile {explicit!r}; known: {', '.join(PROFILES)}"
                )
            )
            return PROFILES["plain"], problems
        profile = PROFILES[explicit]
    elif len(set(owners.values())) > 1:
        listed = ", ".join(f"{name} ({owner})" for name, owner in sorted(owners.items()))
        problems.append(
            spec.problem(
                "/components/securitySchemes",
                "profile.ambiguous",
                f"the security schemes belong to different profiles: {listed}; choose one with info.x-profile",
            )
        )
        return PROFILES["plain"], problems
    else:
        profile = PROFILES[next(iter(owners.values()), "plain")]
    for name, owner in sorted(owners.items()):
        if owner != profile.name:
            problems.append(
                spec.problem(
                    pointer("components", "securitySchemes", name, "x-signing"),
                    "profile.ambiguous",
                    f"{signing_of[name]!r} belongs to the {owner} profile, not {profile.name}",
                )
            )
    convention = document.get("x-rpc-convention")
    if convention is not None and convention not in profile.rpc_conventions:
        offered = ", ".join(sorted(profile.rpc_conventions)) or "none"
        problems.append(
            spec.problem(
                "/x-rpc-convention",
                "profile.rpc-convention",
                f"the {profile.name} profile offers no RPC convention {convention!r} (it offers: {offered})",
            )
        )
    return profile, problems
