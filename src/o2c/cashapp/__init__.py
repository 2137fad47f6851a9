"""Cash application: which invoices a bank line pays, decided and explained.

The matching engine (`engine.Engine`) is pure: the storage layer hands it what it sees of the
ledger (`model.CustomerProfile`, `model.OpenInvoice`) and posts the `model.MatchDecision`s it
returns through the ledger's services.
"""
