"""Referral programs: links, tracking, conversions, rewards, fraud and reports."""
