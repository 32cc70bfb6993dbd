"""Emergency supplies (应急物资): warehouses, catalogue, stock ledger, maintenance, allocation."""
