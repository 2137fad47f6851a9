"""Disputes and deductions: what a customer contests or keeps back from an invoice."""
