"""Receipts held as unapplied cash, their application to invoices, and refunds."""
