"""Steps around EDI: inventory advice and shipment staging, acknowledgements, SFTP.

Each function does the I/O around pure logic (``oms_hub.connectors.edi``,
``oms_hub.inventory.edi_advice``) and returns metadata; no Dagster here.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import polars as pl

from oms_hub.connectors.edi.acks import acknowledge
from oms_hub.connectors.edi.partners import load_partners
from oms_hub.connectors.sftp import SftpClient, SftpConfig
from oms_hub.home import Home
from oms_hub.inventory.edi_advice import ADVICE_SCHEMA, inventory_advice
from oms_hub.inventory.edi_shipments import SHIPMENT_SCHEMA, edi_shipments
from oms_hub.orders.versions import mark_latest
from oms_hub.quality.contracts import contract
from oms_hub.sources import EDI_DOCUMENTS
from oms_hub.steps.catalog import file_order
from oms_hub.steps.staging import staged_rows
from oms_hub.storage.lake import Lake, write_parquet_atomic
from oms_hub.storage.manifest import LandingManifest

ADVICE_STREAM = "edi/inventory_advice"
SHIPMENT_STREAM = "edi/shipments"


def advice_path(home: Home) -> Path:
    """Where the staged inventory-advice stream lives (one file, rebuilt each run)."""
    return Lake(home).root / "staging" / ADVICE_STREAM / "advice.parquet"


def stage_inventory_advice(home: Home) -> dict[str, Any]:
    """Rebuild the 846 inventory-advice stream from the winning staged 846 documents."""
    started = time.perf_counter()
    lake = Lake(home)
    rows = staged_rows(home, EDI_DOCUMENTS)
    products = (
        lake.read("core.products")
        if lake.has_data("core.products")
        else contract("core.products").empty()
    )
    if rows is None:
        advice = pl.DataFrame(schema=ADVICE_SCHEMA)
        quarantine = contract("ops.quarantine").empty()
    else:
        latest = (
            mark_latest(rows.filter(pl.col("document_type") == "846"), file_order(home))
            .filter(pl.col("is_latest"))
            .collect()
        )
        advice, quarantine = inventory_advice(latest, products, load_partners())
    write_parquet_atomic(advice, advice_path(home))
    lake.write_part("ops.quarantine", "conform/edi_inventory_advice", quarantine)
    return {
        "advice_rows": advice.height,
        "documents": advice.select("landed_file", "locator").n_unique() if advice.height else 0,
        "skus": advice.get_column("sku").n_unique(),
        "locations": advice.get_column("location_id").n_unique(),
        "quarantined": quarantine.height,
        "seconds": round(time.perf_counter() - started, 3),
    }


def shipments_path(home: Home) -> Path:
    """Where the staged 945 shipment stream lives (one file, rebuilt each run)."""
    return Lake(home).root / "staging" / SHIPMENT_STREAM / "shipments.parquet"


def stage_shipments(home: Home) -> dict[str, Any]:
    """Rebuild the 945 shipment stream from the winning staged 945 documents."""
    started = time.perf_counter()
    lake = Lake(home)
    rows = staged_rows(home, EDI_DOCUMENTS)

    def read(name: str) -> pl.DataFrame:
        return lake.read(name) if lake.has_data(name) else contract(name).empty()

    if rows is None:
        shipped = pl.DataFrame(schema=SHIPMENT_SCHEMA)
        quarantine = contract("ops.quarantine").empty()
    else:
        latest = (
            mark_latest(rows.filter(pl.col("document_type") == "945"), file_order(home))
            .filter(pl.col("is_latest"))
            .collect()
        )
        shipped, quarantine = edi_shipments(
            latest,
            read("core.orders").select("order_id", "channel", "status"),
            read("core.order_lines").select("order_id", "sku", "quantity"),
            read("core.products"),
            load_partners(),
        )
    write_parquet_atomic(shipped, shipments_path(home))
    lake.write_part("ops.quarantine", "conform/edi_shipments", quarantine)
    return {
        "shipped_lines": shipped.height,
        "shipments": shipped.get_column("shipment_id").n_unique(),
        "orders_shipped": shipped.get_column("order_id").n_unique(),
        "units_shipped": int(shipped.get_column("quantity").sum() or 0),
        "quarantined": quarantine.height,
        "seconds": round(time.perf_counter() - started, 3),
    }


def write_acknowledgements(home: Home) -> dict[str, Any]:
    """Write a 997 / CONTRL into ``outbox/edi/`` for every landed interchange not yet answered.

    A file is answered once per content hash (the manifest cursor ``ack:<sha>`` records
    the names written), so re-runs and duplicate landings write nothing new.
    """
    manifest = LandingManifest(home)
    outbox = home.outbox / "edi"
    written: list[str] = []
    accepted = rejected = 0
    for file in manifest.files("edi"):
        if file.is_duplicate or manifest.get_cursor("edi", f"ack:{file.sha256}") is not None:
            continue
        acks = acknowledge((home.landing / file.path).read_bytes(), digest=file.sha256)
        outbox.mkdir(parents=True, exist_ok=True)
        for ack in acks:
            tmp = outbox / f".{ack.name}.part"
            tmp.write_bytes(ack.payload)
            tmp.replace(outbox / ack.name)
            written.append(ack.name)
            accepted += ack.accepted
            rejected += ack.rejected
        manifest.set_cursor("edi", f"ack:{file.sha256}", ",".join(a.name for a in acks) or "-")
    return {
        "acknowledgements_written": len(written),
        "sets_acknowledged_accepted": accepted,
        "sets_acknowledged_rejected": rejected,
        "outbox": str(outbox),
    }


def _not_configured(action: str) -> dict[str, Any]:
    return {
        "configured": False,
        "note": f"OMS_HUB_EDI_SFTP_HOST is not set: nothing {action} (files dropped into "
        "landing/edi/ by hand are still ingested)",
    }


def fetch_inbox(home: Home, names: list[str] | None = None) -> dict[str, Any]:
    """Land the partner's ready inbox files into ``landing/edi/`` (no-op when unconfigured)."""
    config = SftpConfig.from_env()
    if config is None:
        return _not_configured("fetched")
    started = time.perf_counter()
    with SftpClient(config) as client:
        landed = client.fetch(LandingManifest(home), names=names)
        reconnects = client.reconnects
    return {
        "configured": True,
        "files_fetched": len(landed),
        "bytes_fetched": sum(f.size_bytes for f in landed),
        "reconnects": reconnects,
        "seconds": round(time.perf_counter() - started, 3),
    }


def send_outbox(home: Home) -> dict[str, Any]:
    """Upload the outbox's acknowledgements not sent yet (cursor ``sent:<name>``)."""
    config = SftpConfig.from_env()
    folder = home.outbox / "edi"
    if config is None:
        pending = len(list(folder.glob("[!.]*"))) if folder.is_dir() else 0
        return {**_not_configured("sent"), "files_waiting": pending}
    manifest = LandingManifest(home)
    todo = sorted(
        p
        for p in (folder.glob("[!.]*") if folder.is_dir() else [])
        if manifest.get_cursor("edi", f"sent:{p.name}") is None
    )
    with SftpClient(config) as client:
        sent = client.upload(todo)
    for name in sent:
        manifest.set_cursor("edi", f"sent:{name}", "uploaded")
    return {"configured": True, "files_sent": len(sent)}
