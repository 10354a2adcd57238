"""Compatibility profiles: each anchor framework's initializer API and semantics."""
