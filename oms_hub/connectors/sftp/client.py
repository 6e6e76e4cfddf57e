"""The SFTP client: list what is ready, fetch it atomically, send the outbox.

Safety rules this module keeps:

* Host keys are checked against the configured known_hosts file only, with paramiko's
  ``RejectPolicy``: an unknown host or a changed key stops with ``SftpHostKeyError``;
  nothing is ever added to the file.
* A file still being written is left alone: partial-upload names (``.part``, ``.tmp``,
  ``.filepart``, dot files ...) are skipped, and a file must show the same size and
  modification time on two looks ``settle_seconds`` apart.
* A fetched file lands through ``LandingManifest.land_bytes`` (temp name + rename) only
  after all of its bytes arrived (their count checked against the listing); the remote
  file is archived or deleted only after that.
* A dropped connection is re-opened (up to ``retries`` times per file) and the work
  carries on with the file it was on; files already landed are not fetched again.
* Error messages name host, port and user, never the key or its passphrase.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import socket
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import paramiko

from oms_hub.connectors.sftp.config import SftpConfig
from oms_hub.storage.manifest import LandedFile, LandingManifest

PARTIAL_PATTERNS = (".part", ".tmp", ".partial", ".filepart", ".inprogress", ".uploading", "~")
_DROPPED = (EOFError, socket.error, paramiko.SSHException, ConnectionError)


class SftpError(RuntimeError):
    """A transfer failed after its retries; the message says which file and why."""


class SftpHostKeyError(SftpError):
    """The server's host key is unknown or differs from the known_hosts entry."""


@dataclass(frozen=True)
class RemoteFile:
    """A file in the inbox as listed."""

    name: str
    size: int
    mtime: int


def is_partial(name: str) -> bool:
    """True for names an uploader uses while a file is still being written."""
    lower = name.lower()
    return lower.startswith(".") or lower.endswith(PARTIAL_PATTERNS)


class SftpClient:
    """One partner's SFTP account. Use as a context manager."""

    def __init__(self, config: SftpConfig, *, chunk_size: int = 32 * 1024) -> None:
        self.config = config
        self.chunk_size = chunk_size
        self._ssh: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self.reconnects = 0

    # -- connection ----------------------------------------------------------------
    def __enter__(self) -> SftpClient:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _where(self) -> str:
        c = self.config
        return f"{c.username}@{c.host}:{c.port}"

    def _load_key(self) -> paramiko.PKey:
        try:
            passphrase = self.config.key_passphrase
            return paramiko.PKey.from_path(
                self.config.key_file, passphrase.encode() if passphrase else None
            )
        except (paramiko.SSHException, OSError, ValueError, TypeError) as error:
            raise SftpError(
                f"cannot load the SFTP private key {self.config.key_file} ({type(error).__name__})"
            ) from None

    def connect(self) -> None:
        """Open the SSH session and the SFTP channel, verifying the host key."""
        self.close()
        c = self.config
        ssh = paramiko.SSHClient()
        ssh.load_host_keys(str(c.known_hosts))
        ssh.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            ssh.connect(
                c.host,
                port=c.port,
                username=c.username,
                pkey=self._load_key(),
                look_for_keys=False,
                allow_agent=False,
                timeout=c.timeout_seconds,
                banner_timeout=c.timeout_seconds,
                auth_timeout=c.timeout_seconds,
            )
        except paramiko.BadHostKeyException as error:
            ssh.close()
            raise SftpHostKeyError(
                f"host key of {c.host}:{c.port} changed: got {error.key.get_name()} "
                f"{error.key.fingerprint}, known_hosts ({c.known_hosts}) expects "
                f"{error.expected_key.fingerprint}; refusing to connect"
            ) from None
        except paramiko.AuthenticationException:
            ssh.close()
            raise SftpError(f"SFTP authentication failed for {self._where()}") from None
        except paramiko.SSHException as error:
            ssh.close()
            if "not found in known_hosts" in str(error):
                raise SftpHostKeyError(
                    f"host {c.host}:{c.port} is not in {c.known_hosts}; add its key there "
                    "(it is never added automatically)"
                ) from None
            raise SftpError(f"SSH to {self._where()} failed: {error}") from None
        except OSError as error:
            ssh.close()
            raise SftpError(f"cannot reach {self._where()}: {error.strerror or error}") from None
        self._ssh = ssh
        self._sftp = ssh.open_sftp()
        self._sftp.get_channel().settimeout(c.timeout_seconds)

    def close(self) -> None:
        """Close the session (safe to call twice)."""
        for thing in (self._sftp, self._ssh):
            if thing is not None:
                # Closing a dead session may fail any way; it is being discarded.
                with contextlib.suppress(Exception):
                    thing.close()
        self._sftp = self._ssh = None

    @property
    def sftp(self) -> paramiko.SFTPClient:
        """The open SFTP channel (connecting if needed)."""
        if self._sftp is None:
            self.connect()
        assert self._sftp is not None
        return self._sftp

    def _retrying(self, what: str, action: Callable[[], object]) -> object:
        """Run ``action``; after a dropped connection reconnect and run it again."""
        tries = 0
        while True:
            try:
                return action()
            except SftpHostKeyError:
                raise
            except _DROPPED as error:
                self.close()
                tries += 1
                if tries > self.config.retries:
                    raise SftpError(
                        f"{what} on {self._where()} failed after {self.config.retries} "
                        f"reconnects: {type(error).__name__}: {error}"
                    ) from None
                time.sleep(min(0.2 * 2**tries, 5))
                self.reconnects += 1
                self.connect()

    # -- listing -------------------------------------------------------------------
    def _look(self) -> dict[str, RemoteFile]:
        inbox = self.config.inbox
        found = {}
        for attr in self.sftp.listdir_attr(inbox):
            if attr.st_mode is not None and not stat.S_ISREG(attr.st_mode):
                continue
            if is_partial(attr.filename):
                continue
            found[attr.filename] = RemoteFile(attr.filename, attr.st_size or 0, attr.st_mtime or 0)
        return found

    def list_ready(self) -> list[RemoteFile]:
        """Inbox files that are complete: not partial names, same size on two looks."""

        def both() -> list[RemoteFile]:
            first = self._look()
            if not first:
                return []
            time.sleep(self.config.settle_seconds)
            second = self._look()
            return sorted(
                (f for name, f in second.items() if first.get(name) == f), key=lambda f: f.name
            )

        return self._retrying("listing the inbox", both)  # type: ignore[return-value]

    # -- fetching ------------------------------------------------------------------
    def _download(self, remote: RemoteFile, on_chunk: Callable[[int], None] | None) -> bytes:
        path = posixpath.join(self.config.inbox, remote.name)
        buffer = io.BytesIO()
        with self.sftp.open(path, "rb") as fh:
            # Pipelined reads, at most 32 requests (1 MB) ahead, so memory stays bounded.
            fh.prefetch(remote.size, max_concurrent_requests=32)
            while block := fh.read(self.chunk_size):
                buffer.write(block)
                if on_chunk is not None:
                    on_chunk(buffer.tell())
        payload = buffer.getvalue()
        if len(payload) != remote.size:
            raise EOFError(f"{remote.name}: got {len(payload)} of {remote.size} bytes")
        return payload

    def _dispose(self, remote: RemoteFile) -> None:
        source = posixpath.join(self.config.inbox, remote.name)
        if self.config.archive is None:
            self.sftp.remove(source)
            return
        try:
            self.sftp.stat(self.config.archive)
        except FileNotFoundError:
            self.sftp.mkdir(self.config.archive)
        target = posixpath.join(self.config.archive, remote.name)
        try:
            self.sftp.stat(target)
            target = posixpath.join(self.config.archive, f"{remote.name}.{int(time.time())}")
        except FileNotFoundError:
            pass
        self.sftp.rename(source, target)

    def fetch(
        self,
        manifest: LandingManifest,
        *,
        source: str = "edi",
        names: list[str] | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> list[LandedFile]:
        """Land every ready inbox file (or only ``names``), then archive/delete it remotely."""
        ready = self.list_ready()
        if names is not None:
            ready = [f for f in ready if f.name in set(names)]
        landed: list[LandedFile] = []
        for remote in ready:

            def one(remote: RemoteFile = remote) -> LandedFile | None:
                try:
                    self.sftp.stat(posixpath.join(self.config.inbox, remote.name))
                except FileNotFoundError:
                    # Archived before the connection dropped: landed already.
                    return None
                payload = self._download(remote, on_chunk)
                file = manifest.land_bytes(source, remote.name, payload)
                self._dispose(remote)
                return file

            result = self._retrying(f"fetching {remote.name}", one)
            if result is not None:
                landed.append(result)  # type: ignore[arg-type]
        return landed

    # -- sending -------------------------------------------------------------------
    def upload(self, files: list[Path]) -> list[str]:
        """Put local files into the remote outbox (temp name, then rename)."""
        sent: list[str] = []
        for path in files:

            def one(path: Path = path) -> str:
                try:
                    self.sftp.stat(self.config.outbox)
                except FileNotFoundError:
                    self.sftp.mkdir(self.config.outbox)
                final = posixpath.join(self.config.outbox, path.name)
                tmp = posixpath.join(self.config.outbox, f".{path.name}.part")
                self.sftp.put(str(path), tmp, confirm=True)
                with contextlib.suppress(FileNotFoundError):
                    self.sftp.remove(final)
                self.sftp.rename(tmp, final)
                return path.name

            sent.append(self._retrying(f"uploading {path.name}", one))  # type: ignore[arg-type]
        return sent
