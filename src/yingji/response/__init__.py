"""Response (应急响应): response levels, command posts, consultations, tasks, situation reports,
closure, investigation and evaluation, statistics."""
