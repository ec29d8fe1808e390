"""What the benchmark scripts share: waiting until a Streamlit server they started answers its health check."""

from __future__ import annotations

import time
import urllib.request


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    """Return once `url`/_stcore/health answers "ok"; SystemExit with a one-line error after timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"error: the Streamlit server at {url} did not answer within {timeout:.0f} s")
