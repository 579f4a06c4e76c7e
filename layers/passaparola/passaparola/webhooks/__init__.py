"""Webhooks: endpoints the shop registers, signed deliveries of events (Standard Webhooks 1.0), retries, the log."""
