"""A real OpenSSH ``sshd`` on loopback for the SFTP tests.

Throwaway host and user keys (ssh-keygen), a temp folder served through
``internal-sftp``; the server runs as the current user (root in CI) on a free port.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keygen(path: Path) -> Path:
    """A fresh ed25519 key pair at ``path`` / ``path.pub``."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return path


@dataclass
class Sshd:
    """A running sshd and what a client needs to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    root: Path  # the folder SFTP sessions start in
    user: str
    user_key: Path
    known_hosts: Path
    host_key: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The OMS_HUB_EDI_SFTP_* variables of this server."""
        return {
            "OMS_HUB_EDI_SFTP_HOST": "127.0.0.1",
            "OMS_HUB_EDI_SFTP_PORT": str(self.port),
            "OMS_HUB_EDI_SFTP_USER": self.user,
            "OMS_HUB_EDI_SFTP_KEY_FILE": str(self.user_key),
            "OMS_HUB_EDI_SFTP_KNOWN_HOSTS": str(self.known_hosts),
            "OMS_HUB_EDI_SFTP_SETTLE_SECONDS": "0.2",
            **extra,
        }

    def session_pids(self) -> list[int]:
        """Processes forked by the listener for client sessions (its descendants)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        out, todo = [], [self.process.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                out.append(child)
                todo.append(child)
        return out

    def drop_sessions(self) -> int:
        """Kill every session process of this sshd (the listener keeps running)."""
        pids = self.session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def stop(self) -> None:
        """Stop the server and its sessions."""
        self.drop_sessions()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_sshd(base: Path) -> Sshd:
    """Start sshd serving ``base/root`` and wait until it accepts connections."""
    base.mkdir(parents=True, exist_ok=True)
    root = base / "root"
    (root / "inbox").mkdir(parents=True)
    host_key = keygen(base / "host_key")
    user_key = keygen(base / "user_key")
    (base / "authorized_keys").write_text((base / "user_key.pub").read_text())
    port = _free_port()
    user = getpass.getuser()
    config = base / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {host_key}",
                f"PidFile {base / 'sshd.pid'}",
                f"AuthorizedKeysFile {base / 'authorized_keys'}",
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                f"AllowUsers {user}",
                "Subsystem sftp internal-sftp",
                f"ForceCommand internal-sftp -d {root}",
                "LogLevel ERROR",
                "",
            ]
        )
    )
    with contextlib.suppress(PermissionError):  # privilege separation dir (root runs need it)
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"sshd exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("sshd did not start listening in 10 s") from None
            time.sleep(0.05)
    host_pub = (base / "host_key.pub").read_text().split()
    known_hosts = base / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    return Sshd(process, port, root, user, user_key, known_hosts, host_key)
