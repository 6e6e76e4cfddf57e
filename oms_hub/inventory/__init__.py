"""Stock: the movement ledger, positions as of any moment, counts against the books."""
