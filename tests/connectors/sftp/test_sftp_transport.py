"""The SFTP transport against a real OpenSSH sshd on loopback."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from oms_hub.connectors.sftp import (
    SftpClient,
    SftpConfig,
    SftpConfigError,
    SftpError,
    SftpHostKeyError,
)
from oms_hub.home import Home
from oms_hub.storage.manifest import LandingManifest
from tests.connectors.sftp.sshd import Sshd, keygen


def _client(sshd: Sshd, **extra: str) -> SftpClient:
    config = SftpConfig.from_env(sshd.env(**extra))
    assert config is not None
    return SftpClient(config)


def test_not_configured_is_none_and_missing_settings_are_named() -> None:
    assert SftpConfig.from_env({}) is None
    with pytest.raises(SftpConfigError, match="OMS_HUB_EDI_SFTP_KEY_FILE"):
        SftpConfig.from_env({"OMS_HUB_EDI_SFTP_HOST": "h", "OMS_HUB_EDI_SFTP_USER": "u"})


def test_download_lands_and_archives(sshd: Sshd, tmp_path: Path) -> None:
    (sshd.root / "inbox" / "po-1.x12").write_bytes(b"ISA*first")
    (sshd.root / "inbox" / "po-2.edi").write_bytes(b"UNB+second")
    home = Home(tmp_path / "home")
    with _client(sshd) as client:
        landed = client.fetch(LandingManifest(home))
    assert sorted(f.path for f in landed) == ["edi/po-1.x12", "edi/po-2.edi"]
    assert (home.landing / "edi" / "po-1.x12").read_bytes() == b"ISA*first"
    assert sorted(p.name for p in (sshd.root / "archive").iterdir()) == ["po-1.x12", "po-2.edi"]
    assert list((sshd.root / "inbox").iterdir()) == []


def test_delete_after_fetch_when_configured(sshd: Sshd, tmp_path: Path) -> None:
    (sshd.root / "inbox" / "a.x12").write_bytes(b"ISA")
    with _client(sshd, OMS_HUB_EDI_SFTP_AFTER_FETCH="delete") as client:
        client.fetch(LandingManifest(Home(tmp_path / "home")))
    assert not (sshd.root / "archive").exists()
    assert list((sshd.root / "inbox").iterdir()) == []


def test_files_still_being_written_are_left_alone(sshd: Sshd, tmp_path: Path) -> None:
    inbox = sshd.root / "inbox"
    (inbox / "big.x12.part").write_bytes(b"ISA partial upload")
    (inbox / ".hidden.x12").write_bytes(b"ISA hidden temp")
    growing = inbox / "growing.x12"
    growing.write_bytes(b"ISA")
    stop = threading.Event()

    def writer() -> None:
        with growing.open("ab") as fh:
            while not stop.is_set():
                fh.write(b"*more")
                fh.flush()
                time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with _client(sshd, OMS_HUB_EDI_SFTP_SETTLE_SECONDS="0.3") as client:
            landed = client.fetch(LandingManifest(Home(tmp_path / "home")))
    finally:
        stop.set()
        thread.join()
    assert landed == []
    assert sorted(p.name for p in inbox.iterdir()) == [".hidden.x12", "big.x12.part", "growing.x12"]
    # Once the writer is done, the next look takes it, complete.
    with _client(sshd) as client:
        landed = client.fetch(LandingManifest(Home(tmp_path / "home")))
    assert [f.path for f in landed] == ["edi/growing.x12"]
    assert (
        tmp_path / "home" / "landing" / "edi" / "growing.x12"
    ).read_bytes() == growing.parent.parent.joinpath("archive", "growing.x12").read_bytes()


def test_changed_host_key_is_refused(sshd: Sshd, tmp_path: Path) -> None:
    other = keygen(tmp_path / "other_host_key")
    pub = Path(f"{other}.pub").read_text().split()
    sshd.known_hosts.write_text(f"[127.0.0.1]:{sshd.port} {pub[0]} {pub[1]}\n")
    (sshd.root / "inbox" / "a.x12").write_bytes(b"ISA")
    with pytest.raises(SftpHostKeyError, match="changed"):
        _client(sshd).connect()
    assert (sshd.root / "inbox" / "a.x12").exists()


def test_unknown_host_is_refused_and_never_added(sshd: Sshd) -> None:
    sshd.known_hosts.write_text("")
    with pytest.raises(SftpHostKeyError, match="not in"):
        _client(sshd).connect()
    assert sshd.known_hosts.read_text() == ""


def test_secrets_never_in_errors(sshd: Sshd, tmp_path: Path) -> None:
    locked = tmp_path / "locked_key"
    import subprocess

    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret-pass", "-f", str(locked)], check=True
    )
    client = _client(
        sshd,
        OMS_HUB_EDI_SFTP_KEY_FILE=str(locked),
        OMS_HUB_EDI_SFTP_KEY_PASSPHRASE="wrong-s3cret",
    )
    assert "wrong-s3cret" not in repr(client.config)
    with pytest.raises(SftpError, match="private key") as caught:
        client.connect()
    assert "s3cret" not in str(caught.value)


# paramiko's read-ahead thread dies with the killed session (that is the point of the test).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_connection_dropped_mid_transfer_reconnects_and_carries_on(
    sshd: Sshd, tmp_path: Path
) -> None:
    payload = os.urandom(8 * 1024 * 1024)  # far more than the 1 MB read-ahead
    (sshd.root / "inbox" / "a-big.x12").write_bytes(payload)
    (sshd.root / "inbox" / "b-small.x12").write_bytes(b"ISA small")
    dropped = []

    def on_chunk(received: int) -> None:
        if not dropped and received >= 256 * 1024:
            dropped.append(sshd.drop_sessions())

    home = Home(tmp_path / "home")
    with _client(sshd) as client:
        landed = client.fetch(LandingManifest(home), on_chunk=on_chunk)
        assert client.reconnects >= 1
    assert dropped
    assert dropped[0] >= 1
    assert sorted(f.path for f in landed) == ["edi/a-big.x12", "edi/b-small.x12"]
    assert (home.landing / "edi" / "a-big.x12").read_bytes() == payload
    assert not list((home.landing / "edi").glob(".*"))  # no temp file left behind
    assert sorted(p.name for p in (sshd.root / "archive").iterdir()) == ["a-big.x12", "b-small.x12"]


def test_upload_outbox_files(sshd: Sshd, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    files = []
    for n in range(3):
        path = outbox / f"997-BUYER-{n}.x12"
        path.write_bytes(f"ISA*997 number {n}~".encode())
        files.append(path)
    with _client(sshd) as client:
        assert client.upload(files) == [p.name for p in files]
    remote = sshd.root / "outbox"
    assert sorted(p.name for p in remote.iterdir()) == [p.name for p in files]
    assert (remote / "997-BUYER-1.x12").read_bytes() == b"ISA*997 number 1~"
