"""Organisation: jurisdictions, the three-level grid, units and command HQs, people, contacts."""
