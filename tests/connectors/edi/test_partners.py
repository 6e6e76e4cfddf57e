"""Trading-partner configuration: validated on load, errors name the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from oms_hub.connectors.edi.partners import PartnerConfigError, load_partners, parse_partners


def test_packaged_partners_load() -> None:
    partners = load_partners()
    ids = {p.id for p in partners.partners}
    assert {"ACMESTORES", "BIGBOXCO", "5412345000013", "3PLWEST"} <= ids
    assert partners.warehouses().height == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("partners: 3", "expected a top-level 'partners' list"),
        (
            "partners: [{id: A, name: N, customer_account: C}]",
            "partner 'A': 'currency' is required",
        ),
        (
            "partners: [{id: A, name: N, customer_account: C, currency: usd}]",
            "'currency' must be a 3-letter code",
        ),
        (
            "partners: [{id: A, name: N, customer_account: C, currency: USD, item_qualifiers: [XX]}]",
            "item_qualifiers ['XX'] unknown",
        ),
        (
            "partners: [{id: A, name: N, customer_account: C, currency: USD, colour: red}]",
            "unknown field(s) colour",
        ),
        (
            "partners: [{id: A, name: N, customer_account: C, currency: USD},"
            " {id: A, name: N, customer_account: C, currency: USD}]",
            "partner 'A': listed twice",
        ),
        ("partners: [", "not valid YAML"),
    ],
)
def test_bad_config_names_the_place(text: str, message: str) -> None:
    with pytest.raises(PartnerConfigError) as caught:
        parse_partners(text, origin="partners.yaml")
    assert str(caught.value).startswith("partners.yaml")
    assert message in str(caught.value)


def test_env_var_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("partners: [{id: Z, name: Zed, customer_account: ZZ, currency: EUR}]\n")
    monkeypatch.setenv("OMS_HUB_EDI_PARTNERS", str(path))
    assert [p.id for p in load_partners().partners] == ["Z"]
    monkeypatch.setenv("OMS_HUB_EDI_PARTNERS", str(tmp_path / "missing.yaml"))
    with pytest.raises(PartnerConfigError, match=r"missing\.yaml: cannot read"):
        load_partners()
