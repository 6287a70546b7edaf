# Vendored by streamspec (runtime module __init__); do not edit.
"""Runtime that every generated client package vendors as ``<pkg>/_runtime/``.

Nothing is re-exported here: the generator copies these modules verbatim, so generated code imports each one by
name (``from ._runtime.client import SyncAPIClient``) and the modules import one another only relatively.
"""
