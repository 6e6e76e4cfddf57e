"""The whole Dagster code location loads, with the jobs, schedule, checks and pool it promises."""

from __future__ import annotations

import dagster as dg

from oms_hub.definitions import defs


def test_definitions_load_and_validate() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "core/orders",
        "core/order_lines",
        "core/returns",
        "core/products",
        "core/locations",
        "marts/rpt_channel_sales_daily",
        "ops/landed_files",
        "ops/load_audit",
        "warehouse/oms_duckdb",
    } <= keys
    for key in graph.get_all_asset_keys():
        assert graph.get(key).description, f"{key} has no description"


def test_partitions_schedule_and_checks() -> None:
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["core", "orders"])).is_partitioned
    assert graph.get(dg.AssetKey(["marts", "rpt_channel_sales_daily"])).is_partitioned
    schedule = defs.resolve_schedule_def("daily_pipeline_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    checks = {c.name for c in graph.asset_check_keys}
    assert {
        "channel_sales_expectations",
        "every_record_accounted",
        "lines_have_known_skus",
    } <= checks


def test_only_the_catalog_asset_writes_duckdb_and_it_is_pooled() -> None:
    node = defs.resolve_assets_def(dg.AssetKey(["warehouse", "oms_duckdb"])).node_def
    assert node.pool == "duckdb_catalog"


def test_workspace_points_at_the_definitions() -> None:
    from pathlib import Path

    import yaml

    workspace = yaml.safe_load((Path(__file__).parents[1] / "workspace.yaml").read_text())
    assert workspace["load_from"][0]["python_module"]["module_name"] == "oms_hub.definitions"


def test_api_fetchers_feed_the_landing_scan_and_run_every_15_minutes() -> None:
    graph = defs.resolve_asset_graph()
    scan = graph.get(dg.AssetKey(["ops", "landed_files"]))
    fetchers = {
        dg.AssetKey(["landing", f"{s}_orders"]) for s in ("shopify", "woocommerce", "amazon")
    }
    assert fetchers <= set(scan.parent_keys)
    schedule = defs.resolve_schedule_def("api_ingest_schedule")
    assert schedule.cron_schedule == "*/15 * * * *"


def test_unconfigured_fetchers_do_nothing_and_say_so(tmp_path, monkeypatch) -> None:
    from oms_hub.home import Home
    from oms_hub.steps.fetch import API_SOURCES, fetch_api_source

    for api in API_SOURCES:
        for name in api.variables:
            monkeypatch.delenv(name, raising=False)
        meta = fetch_api_source(Home(tmp_path), api)
        assert meta["configured"] is False
        assert api.variables[0] in meta["note"]
    assert not (tmp_path / "landing").exists()


def test_orders_conform_after_customers_without_a_cycle() -> None:
    """core/orders reads core/customer_xref (customer_key); the xref never reads orders."""
    graph = defs.resolve_asset_graph()
    orders = dg.AssetKey(["core", "orders"])
    xref = dg.AssetKey(["core", "customer_xref"])
    assert xref in graph.get(orders).parent_keys
    upstream = dg.AssetSelection.assets(xref).upstream().resolve(graph)
    assert orders not in upstream
    assert dg.AssetKey(["core", "order_lines"]) not in upstream
