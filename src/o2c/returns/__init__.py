"""Returns: authorising, receiving and crediting goods a customer sends back (RMA)."""
