"""Exports: CSV answers for the shop's other tools, accounting across customers, and the right of access."""
