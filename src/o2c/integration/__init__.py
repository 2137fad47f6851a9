"""Imports and exports with trading partners: EDI X12 interchanges and inbound e-documents."""
