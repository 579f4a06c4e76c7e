"""HTTP conventions shared by every function: resolver, authentication, errors, idempotency."""
