"""Customers: profiles, engagement score, facts and segments."""
