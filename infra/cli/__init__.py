"""`passaparola`: the admins' command line. It talks to the HTTP API only (never to DynamoDB), with a secret key,
so it works the same against `make run` and a deployed stack (docs/integrations.md, "The CLI")."""
