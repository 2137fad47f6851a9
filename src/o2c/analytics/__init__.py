"""Analytics: receivables KPIs, payment-date prediction, cash forecast and exports."""
