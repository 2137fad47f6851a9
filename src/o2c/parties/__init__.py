"""Customers and everything known about them: addresses, contacts, bank accounts, hierarchy."""
