"""`python -m infra.cli ...` (what `.venv/bin/passaparola` runs)."""

from infra.cli.main import main

raise SystemExit(main())
