"""Stock: the movement ledger, positions as of any moment, counts against the books;
the staged EDI 846 inventory-advice stream."""
