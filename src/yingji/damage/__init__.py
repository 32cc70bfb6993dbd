"""灾情统计: disaster information officers (灾害信息员), disaster processes and their 初报 / 续报 / 核报 and
daily zero reports on the national indicators, roll-up, verification (核查评估) (issue 13)."""
