"""应急演练: the yearly drill plan, drills with their plans, participants, records and evaluation,
frequency compliance, and exercise mode (scripted injects into the live duty flow, 双盲 drills,
reaction times measured, nothing sent outside)."""
