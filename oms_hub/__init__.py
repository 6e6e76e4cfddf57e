"""oms-hub: an ETL-centric omnichannel order-management hub.

Data flows one way: land -> parse -> conform -> decide -> publish.  See README.md.
"""

__version__ = "0.1.0"
