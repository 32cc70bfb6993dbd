"""考核 (issue 14 item 2): yearly assessment schemes as data, scores from the platform's records or by
hand with evidence, the one-vote veto, ranked results with the explanation of every point."""
