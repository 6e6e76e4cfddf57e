"""EDI: X12 (850, 846) and EDIFACT (ORDERS) interchanges in, 997 / CONTRL out.

``parse_edi`` is the pure format parser the staging step calls; ``acks`` builds the
acknowledgements; ``partners`` reads the trading-partner configuration. Transport
(SFTP) lives in ``oms_hub.connectors.sftp``.
"""

from oms_hub.connectors.edi.parse import parse_edi

__all__ = ["parse_edi"]
