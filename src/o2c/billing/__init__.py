"""Invoices and credit notes: drafting, gapless numbering, posting to the ledger, imports."""
