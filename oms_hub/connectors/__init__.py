"""Connectors: one package per source.

Transport (local folder, HTTP, SFTP) is kept apart from format. Format parsers are pure
functions: bytes in, a staged frame plus quarantine rows out; they never touch disk.
"""
