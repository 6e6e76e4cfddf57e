"""Resources shared by every asset."""

import dagster as dg

from oms_hub.home import Home


class HubHome(dg.ConfigurableResource):
    """Where the hub's folders are. Empty means ``$OMS_HUB_HOME``, else ``./warehouse``."""

    root: str = ""

    def home(self) -> Home:
        """The resolved ``Home``."""
        return Home.from_env(self.root or None)
