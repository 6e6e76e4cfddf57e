import polars as pl
import pytest

from oms_hub.quality.card_numbers import card_number_mask, mask_card_numbers, mask_text


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5555-5555-5555-4444",
        "378282246310005",
        "6011111111111117",
        "see 4012888888881881 here",
    ],
)
def test_detects_test_cards(text: str) -> None:
    assert pl.select(card_number_mask(pl.lit(text))).item() is True


@pytest.mark.parametrize(
    "text",
    ["4111111111111112", "order 1234567890123", "phone +1 212 555 0100", "UPC 036000291452", None],
)
def test_ignores_non_cards(text: str | None) -> None:
    assert pl.select(card_number_mask(pl.lit(text, dtype=pl.String))).item() is False


def test_mask_keeps_last_four() -> None:
    assert mask_text("card 4111 1111 1111 1111 ok") == "card ************1111 ok"


def test_mask_frame_only_touches_flagged_rows() -> None:
    frame = pl.DataFrame({"a": ["x 4111111111111111", "plain", None], "b": ["1", "2", "3"]})
    masked, flags = mask_card_numbers(frame)
    assert flags.to_list() == [True, False, False]
    assert masked.get_column("a").to_list() == ["x ************1111", "plain", None]
    assert masked.get_column("b").to_list() == ["1", "2", "3"]
