"""Shared by every test: fake AWS credentials so nothing can ever reach a real account.

With PASSAPAROLA_IAM_RECORD=<dir> (`make test`), every AWS call a function's code makes is recorded for
`make iam-check` (infra/local/iam_record.py); the local stack the integration tests start records its own.
"""

import os

from infra.local import iam_record

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "passaparola",
        "POWERTOOLS_METRICS_NAMESPACE": "PassaparolaTest",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

iam_record.install()
