"""首接负责制 (first-receiver responsibility): who took each report, call or tip-off in, who owns it now,
and every named hand-over in between — one mechanism for every kind of incoming item."""
