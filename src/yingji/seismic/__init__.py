"""防震减灾助理员 and 地震灾情速报员 (RULES2 §14): the "三网一员" registry, its staffing coverage, and
the reports from the field (灾情速报, 宏观异常, 月报)."""
