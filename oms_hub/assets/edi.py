"""EDI: SFTP fetch, acknowledgements out, inventory advice; the inbox sensor and schedule.

Thin wiring over ``oms_hub.steps.edi``. Without ``OMS_HUB_EDI_SFTP_HOST`` the fetch and
send assets succeed doing nothing and say so in their metadata, and the sensor skips.
"""

import json

import dagster as dg

from oms_hub.assets._meta import to_metadata
from oms_hub.assets.resources import HubHome
from oms_hub.assets.staging import staging_key
from oms_hub.connectors.sftp import SftpClient, SftpConfig
from oms_hub.sources import EDI_DOCUMENTS
from oms_hub.steps.edi import (
    fetch_inbox,
    send_outbox,
    stage_inventory_advice,
    stage_shipments,
    write_acknowledgements,
)

SFTP_INBOX = dg.AssetKey(["edi", "sftp_inbox"])
EDI_STAGING = dg.AssetKey(staging_key(EDI_DOCUMENTS.folder))


class FetchConfig(dg.Config):
    """Which inbox files to fetch; empty means every ready file."""

    names: list[str] = []  # noqa: RUF012 - pydantic copies field defaults


@dg.asset(
    key=SFTP_INBOX,
    group_name="landing",
    kinds={"sftp"},
    description="Partner SFTP inbox -> landing/edi/ (complete files only, host key verified, "
    "archived or deleted remotely after landing). No-op when SFTP is not configured.",
)
def sftp_inbox(config: FetchConfig, hub: HubHome) -> dg.MaterializeResult:
    """Fetch ready inbox files."""
    return dg.MaterializeResult(metadata=to_metadata(fetch_inbox(hub.home(), config.names or None)))


@dg.asset(
    key=["edi", "acknowledgements"],
    deps=[EDI_STAGING],
    group_name="edi",
    description="A 997 per inbound X12 functional group and a CONTRL per EDIFACT interchange, "
    "written to outbox/edi/ once per landed file.",
)
def acknowledgements(hub: HubHome) -> dg.MaterializeResult:
    """Write acknowledgements for newly landed interchanges."""
    return dg.MaterializeResult(metadata=to_metadata(write_acknowledgements(hub.home())))


@dg.asset(
    key=["edi", "sftp_outbox"],
    # after the 810 invoices too, so a run sends the invoices it wrote
    deps=[["edi", "acknowledgements"], ["finance", "ar_invoices"]],
    group_name="edi",
    kinds={"sftp"},
    description="Uploads outbox/edi/ files (997/CONTRL, 810 invoices) not sent yet to the "
    "partner's SFTP outbox. "
    "No-op when SFTP is not configured.",
)
def sftp_outbox(hub: HubHome) -> dg.MaterializeResult:
    """Send acknowledgements and invoices."""
    return dg.MaterializeResult(metadata=to_metadata(send_outbox(hub.home())))


@dg.asset(
    key=["edi", "inventory_advice"],
    deps=[EDI_STAGING, ["core", "products"]],
    group_name="inventory",
    kinds={"parquet"},
    description="Staged stream lake/staging/edi/inventory_advice: on-hand quantities per SKU x "
    "warehouse from EDI 846s, latest advice per document; read by the inventory domain.",
)
def inventory_advice(hub: HubHome) -> dg.MaterializeResult:
    """Rebuild the 846 inventory-advice stream."""
    return dg.MaterializeResult(metadata=to_metadata(stage_inventory_advice(hub.home())))


@dg.asset(
    key=["edi", "shipments"],
    deps=[EDI_STAGING, ["core", "products"], ["core", "orders"], ["core", "order_lines"]],
    group_name="inventory",
    kinds={"parquet"},
    description="Staged stream lake/staging/edi/shipments: lines the 3PL shipped (EDI 945) "
    "per order x SKU x warehouse, checked against the orders; read by the stock ledger.",
)
def shipments(hub: HubHome) -> dg.MaterializeResult:
    """Rebuild the 945 shipment stream."""
    summary = stage_shipments(hub.home())
    return dg.MaterializeResult(
        metadata={**to_metadata(summary), "dagster/row_count": summary["shipped_lines"]}
    )


edi_ingest = dg.define_asset_job(
    "edi_ingest",
    selection=dg.AssetSelection.assets(
        SFTP_INBOX,
        ["ops", "landed_files"],
        EDI_STAGING,
        ["edi", "acknowledgements"],
        ["edi", "sftp_outbox"],
        ["edi", "inventory_advice"],
    ),
    description="Fetch EDI from SFTP, parse, acknowledge, send acknowledgements.",
)

#: Fallback when the sensor is off or missed something: every 30 minutes.
edi_ingest_schedule = dg.ScheduleDefinition(
    job=edi_ingest, cron_schedule="*/30 * * * *", execution_timezone="UTC"
)


def inbox_run_requests(ready: list[tuple[str, int, int]], cursor: str | None) -> dg.SensorResult:
    """One run per new or changed ready file; the JSON cursor remembers what was requested."""
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    requests = []
    for name, size, mtime in ready:
        key = f"{name}:{size}:{mtime}"
        if seen.get(name) == key:
            continue
        seen[name] = key
        requests.append(
            dg.RunRequest(
                run_key=key,
                run_config={"ops": {"edi__sftp_inbox": {"config": {"names": [name]}}}},
                tags={"oms_hub/edi_file": name},
            )
        )
    present = {name for name, _, _ in ready}
    seen = {k: v for k, v in seen.items() if k in present}
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))


@dg.sensor(job=edi_ingest, minimum_interval_seconds=60)
def edi_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Watch the partner inbox: a run per complete new file (run_key = name:size:mtime)."""
    config = SftpConfig.from_env()
    if config is None:
        return dg.SkipReason("OMS_HUB_EDI_SFTP_HOST is not set: no inbox to watch")
    with SftpClient(config) as client:
        ready = [(f.name, f.size, f.mtime) for f in client.list_ready()]
    return inbox_run_requests(ready, context.cursor)


defs = dg.Definitions(
    assets=[sftp_inbox, acknowledgements, sftp_outbox, inventory_advice, shipments],
    jobs=[edi_ingest],
    schedules=[edi_ingest_schedule],
    sensors=[edi_inbox_sensor],
)
