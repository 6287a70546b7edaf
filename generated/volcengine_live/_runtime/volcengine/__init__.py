# Vendored by streamspec (runtime module volcengine/__init__); do not edit.
"""Volcengine's runtime modules, vendored into packages as `_runtime/volcengine/`: signing (`signing`, `auth`),
verification (`verify`), the `ResponseMetadata` envelope (`envelope`) and callback signatures (`webhooks`).

Nothing is re-exported here: each module is imported by name, and a package carries only those it uses.
"""
