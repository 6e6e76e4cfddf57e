"""SFTP transport (paramiko): key auth, verified host keys, atomic fetch and send.

Format-agnostic: it moves files between a partner's SFTP folders and the hub's
``landing/`` and ``outbox/``; what the files mean is the format parsers' business.
"""

from oms_hub.connectors.sftp.client import SftpClient, SftpError, SftpHostKeyError
from oms_hub.connectors.sftp.config import SftpConfig, SftpConfigError

__all__ = [
    "SftpClient",
    "SftpConfig",
    "SftpConfigError",
    "SftpError",
    "SftpHostKeyError",
]
