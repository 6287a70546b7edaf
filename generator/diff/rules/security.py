"""Security: each operation's effective requirements (its own `security`, else the document's) and the schemes.

Requirements are alternatives: adding one gives callers another way in, removing one locks out those who used it,
and a scope added to a requirement asks more of every caller that uses it. Nothing a revision removes can lock a
caller out once the revision accepts anonymous calls.
"""

from __future__ import annotations

from generator.diff.model import ERROR, INFO, NONE, Rule, flagged

AREA = "security"

RULES = (
    Rule(
        "api-security-anonymous-access-removed",
        ERROR,
        NONE,
        AREA,
        "an operation that accepted anonymous calls now requires credentials",
        "security-anonymous-access-removed",
        "{c.subject} no longer accepts calls without credentials",
    ),
    Rule(
        "api-security-anonymous-access-added",
        INFO,
        NONE,
        AREA,
        "an operation now accepts anonymous calls",
        "security-anonymous-access-added",
        "{c.subject} now accepts calls without credentials",
    ),
    Rule(
        "api-security-added",
        INFO,
        NONE,
        AREA,
        "an operation accepts another security requirement",
        "security-requirement-added",
        "the operation accepts the security requirement {c.subject}",
    ),
    Rule(
        "api-security-removed",
        ERROR,
        NONE,
        AREA,
        "an operation no longer accepts a security requirement",
        "security-requirement-removed",
        "the operation no longer accepts the security requirement {c.subject}",
        flagged(absent=("revision-open",)),
    ),
    Rule(
        "api-security-scope-added",
        ERROR,
        NONE,
        AREA,
        "a security requirement of an operation asks for another scope",
        "security-scope-added",
        "the security requirement {c.subject} asks for the scope {c.after}",
        flagged(absent=("revision-open",)),
    ),
    Rule(
        "api-security-scope-removed",
        INFO,
        NONE,
        AREA,
        "a security requirement of an operation asks for one scope less",
        "security-scope-removed",
        "the security requirement {c.subject} no longer asks for the scope {c.before}",
    ),
    Rule(
        "api-security-component-added",
        INFO,
        NONE,
        AREA,
        "a security scheme was added to components",
        "security-scheme-added",
        "the security scheme {c.subject} was added",
    ),
    Rule(
        "api-security-component-removed",
        INFO,
        NONE,
        AREA,
        "a security scheme was removed from components (operations that used it are judged on their own)",
        "security-scheme-removed",
        "the security scheme {c.subject} was removed",
    ),
    Rule(
        "api-security-component-type-changed",
        ERROR,
        NONE,
        AREA,
        "a security scheme's type or HTTP scheme changed: callers send the old kind of credentials",
        "security-scheme-type-changed",
        "the security scheme {c.subject} changed from {c.was} to {c.now}",
    ),
    Rule(
        "api-security-component-key-changed",
        ERROR,
        NONE,
        AREA,
        "an API key scheme moved (`in`) or was renamed (`name`)",
        "security-scheme-key-changed",
        "the API key of the security scheme {c.subject} changed from {c.was} to {c.now}",
    ),
    Rule(
        "api-security-component-signing-changed",
        ERROR,
        NONE,
        AREA,
        "a security scheme's request signing (`x-signing`) changed",
        "security-scheme-signing-changed",
        "the request signing of the security scheme {c.subject} changed from {c.was} to {c.now}",
    ),
)
