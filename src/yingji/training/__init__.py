"""Training and publicity (培训与宣传, RULES2 §13): courses, sessions with their participants and
sign-in, person-times and coverage, obligations per role and who is overdue, publicity events."""
