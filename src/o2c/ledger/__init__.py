"""The double-entry ledger and the AR subledger of open items, the centre of o2c."""
