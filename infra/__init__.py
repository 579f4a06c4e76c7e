"""Infrastructure tooling: the local stack and build-time tools (never deployed)."""
