# Vendored by streamspec (runtime module huawei/__init__); do not edit.
"""Huawei Cloud's runtime modules, vendored into packages as `_runtime/huawei/`: signing (`signing`, `auth`),
verification (`verify`), the error envelope (`envelope`) and callback signatures (`mss`, `live_record`).

Nothing is re-exported here: each module is imported by name, and a package carries only those it uses.
"""
