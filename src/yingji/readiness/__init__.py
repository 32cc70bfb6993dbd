"""Readiness scorecards (issue 14, item 3): the town "863" model and "六有" of seed 002 and the village
"五有" of seed 003 as checklists per town and village, computed from live data, confirmed by hand
where they cannot be; the town's quarterly 应急例会 records."""
