"""The observability trio, configured by POWERTOOLS_* environment variables (template Globals).

The tracer patches, when tracing is on (in Lambda), what every function calls through: botocore (boto3's clients)
and pynamodb (which sends its requests itself). X-Ray's `patch_all` would also import and patch httpx, sqlite3 and
the like in every function at start-up; httpx is patched by the modules that use it (`trace_httpx`), so an API
function never imports it.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer(patch_modules=("botocore", "pynamodb"))
metrics = Metrics()


def trace_httpx() -> None:
    """Patch httpx for X-Ray (once; a no-op with tracing off): call it before creating an httpx client."""
    tracer.patch(("httpx",))
