"""Segments: built-in and custom groups of customers, kept current as customers change."""
