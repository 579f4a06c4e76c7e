"""Build-time tools (OpenAPI generation)."""
