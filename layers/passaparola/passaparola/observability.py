"""The observability trio, configured by POWERTOOLS_* environment variables (template Globals)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
