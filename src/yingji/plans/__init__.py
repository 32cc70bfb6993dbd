"""应急预案: the plan registry with its lifecycle and clocks, coverage, and digital plans whose
response part (levels, triggers, actions of the HQ and member units) creates the tasks of a response."""
