"""Loyalty programs: earning rules, pending points, expiry, tiers, the rewards catalogue and the wallet."""
