"""Plans: In and Out models of the API. Sections by owner, in this order."""

from __future__ import annotations


# -- registry: plans, versions and documents, lifecycle, filings, clocks, Excel --------------------------


# -- coverage ---------------------------------------------------------------------------------------


# -- digital plans: the response part, activation under a plan --------------------------------------
