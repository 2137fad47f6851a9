"""Who may do what, in which company, and the record of what they did."""
