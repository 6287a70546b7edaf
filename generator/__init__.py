"""Turn vendor OpenAPI specs into typed, signed, vendorable Python clients and server stubs."""

__version__ = "0.1.0"
