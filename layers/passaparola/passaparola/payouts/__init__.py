"""Cash rewards owed to referrers, settled month by month."""
