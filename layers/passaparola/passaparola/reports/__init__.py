"""Referral reports: leaderboard, funnel and ROI, read from aggregates the writes keep current."""
