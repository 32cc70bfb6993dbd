"""三清单一手册: the printable handbook of a jurisdiction (command system, teams, equipment and supplies,
operations handbook) as PDF and DOCX, and its print and distribution log (issue 14, item 6)."""
