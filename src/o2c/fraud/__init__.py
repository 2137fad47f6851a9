"""Fraud and billing-inconsistency checks: set-based rules over invoices, payments, bank
lines and refunds that raise alerts, with their evidence, onto a review queue.

Fraud reads the tables of the domains below it and writes only its own; it sits just
above analytics and below integration in the domain order.
"""
