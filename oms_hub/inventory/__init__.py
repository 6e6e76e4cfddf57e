"""Inventory domain logic (today: the staged EDI 846 inventory-advice stream)."""
