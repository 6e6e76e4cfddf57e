"""Fulfilment decisions: rules as data and the set-wise allocation engine."""
