"""What is sold and on which terms: products, price lists, taxes, payment terms."""
