"""Finance: posting rules as configuration, the general-ledger journal, periods, exports."""
