"""Shipments of order lines: what left which warehouse when, and what of it is invoiced."""
