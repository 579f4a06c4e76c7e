"""`python -m bench.motopatch`: a moto server with the local stack's transaction fix, on a free port.

The fix itself lives in `infra/local/moto_fixes.py`; the latency benchmark runs DynamoDB in its own process
through this server so that the stack and the baseline share one backend.
"""

from __future__ import annotations

import contextlib
import sys
import threading

from infra.local.moto_fixes import apply


def main() -> int:
    apply()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    inner = getattr(server, "_server", None)
    if inner is not None:
        inner.socket.listen(1024)
    print(f"http://{host}:{port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
