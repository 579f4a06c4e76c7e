"""Business events: the outbox (written with the change), their types and schemas, reading them back."""
