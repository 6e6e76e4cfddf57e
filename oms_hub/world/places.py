"""The retailer's stores and distribution centers: real US cities, real coordinates.

Street addresses are plausible, not real shops. Store tax rates (6-9 %) are the world's
own simplification; they are not the real local rates.
"""

from __future__ import annotations

from dataclasses import dataclass

#: IANA zone -> the Rails-style zone name Square prints in its exports.
SQUARE_TIME_ZONE_NAMES: dict[str, str] = {
    "America/New_York": "Eastern Time (US & Canada)",
    "America/Chicago": "Central Time (US & Canada)",
    "America/Denver": "Mountain Time (US & Canada)",
    "America/Phoenix": "Arizona",
    "America/Los_Angeles": "Pacific Time (US & Canada)",
}


@dataclass(frozen=True)
class Location:
    """One store or warehouse."""

    location_id: str
    name: str
    kind: str  # "store" | "warehouse"
    address: str
    city: str
    region: str
    postal_code: str
    lat: float
    lon: float
    time_zone: str
    ships_online: bool
    #: Sales tax in thousandths of a percent (8875 = 8.875 %); 0 for warehouses.
    tax_rate_milli_pct: int = 0
    #: Relative foot traffic of a store.
    traffic: float = 0.0
    #: Number of POS registers.
    registers: int = 0
    country: str = "US"
    currency: str = "USD"

    @property
    def square_time_zone(self) -> str:
        """The zone as Square names it (``Eastern Time (US & Canada)``, ``Arizona``)."""
        return SQUARE_TIME_ZONE_NAMES[self.time_zone]


# fmt: off
LOCATIONS: tuple[Location, ...] = (
    Location("STORE-NYC-01", "Brooklyn Heights", "store", "142 Montague St", "Brooklyn", "NY",
             "11201", 40.6946, -73.9942, "America/New_York", True, 8875, 1.45, 5),
    Location("STORE-BOS-01", "Back Bay", "store", "360 Newbury St", "Boston", "MA",
             "02115", 42.3483, -71.0872, "America/New_York", False, 6250, 1.05, 3),
    Location("STORE-ATL-01", "Ponce City", "store", "675 Ponce De Leon Ave NE", "Atlanta", "GA",
             "30308", 33.7724, -84.3656, "America/New_York", True, 8900, 0.95, 3),
    Location("STORE-MIA-01", "Coconut Grove", "store", "3015 Grand Ave", "Miami", "FL",
             "33133", 25.7281, -80.2433, "America/New_York", False, 7000, 0.85, 3),
    Location("STORE-CHI-01", "Wicker Park", "store", "1520 N Milwaukee Ave", "Chicago", "IL",
             "60622", 41.9089, -87.6776, "America/Chicago", True, 9000, 1.25, 4),
    Location("STORE-AUS-01", "South Congress", "store", "1400 S Congress Ave", "Austin", "TX",
             "78704", 30.2497, -97.7497, "America/Chicago", False, 8250, 0.95, 3),
    Location("STORE-MSP-01", "Uptown Minneapolis", "store", "3001 Hennepin Ave", "Minneapolis",
             "MN", "55408", 44.9485, -93.2983, "America/Chicago", False, 7875, 0.70, 2),
    Location("STORE-DEN-01", "Larimer Square", "store", "1430 Larimer St", "Denver", "CO",
             "80202", 39.7479, -104.9994, "America/Denver", True, 8810, 0.90, 3),
    Location("STORE-SLC-01", "Sugar House", "store", "2100 S Highland Dr", "Salt Lake City",
             "UT", "84106", 40.7245, -111.8543, "America/Denver", False, 7750, 0.60, 2),
    Location("STORE-PHX-01", "Roosevelt Row", "store", "500 E Roosevelt St", "Phoenix", "AZ",
             "85004", 33.4587, -112.0665, "America/Phoenix", False, 8600, 0.75, 2),
    Location("STORE-SEA-01", "Capitol Hill", "store", "1525 Broadway", "Seattle", "WA",
             "98122", 47.6148, -122.3210, "America/Los_Angeles", True, 8950, 1.00, 3),
    Location("STORE-SFO-01", "Hayes Valley", "store", "400 Hayes St", "San Francisco", "CA",
             "94102", 37.7766, -122.4236, "America/Los_Angeles", True, 8625, 1.15, 4),
    Location("DC-EAST", "East Distribution Center", "warehouse", "4400 Alum Creek Dr",
             "Columbus", "OH", "43207", 39.9102, -82.9557, "America/New_York", True),
    Location("DC-WEST", "West Distribution Center", "warehouse", "1200 Vista Blvd", "Sparks",
             "NV", "89434", 39.5353, -119.7151, "America/Los_Angeles", True),
)
# fmt: on

STORES: tuple[Location, ...] = tuple(loc for loc in LOCATIONS if loc.kind == "store")
WAREHOUSES: tuple[Location, ...] = tuple(loc for loc in LOCATIONS if loc.kind == "warehouse")
