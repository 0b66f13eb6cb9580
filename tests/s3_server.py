"""A local S3 server for tests: moto's server mode (``python -m moto.server``) in a child process on a free port.

Real HTTP and a real S3 wire protocol (SigV4, multipart upload, error codes), its own process and memory: each
server starts empty, and stopping it makes the store really unreachable (a test of a store that is down). It
takes ≈ 2 s to start, so share one per module where the test does not stop it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.live_server import free_port, wait_http

REGION = "us-east-1"
# moto accepts any key; these are passed to the store (or to a server process as AWS_* environment)
ACCESS_KEY, SECRET_KEY = "docgen-test-key", "docgen-test-secret"


@dataclass
class S3Server:
    """A running moto S3 server: its endpoint (``http://127.0.0.1:<port>``) and process."""

    endpoint: str
    proc: subprocess.Popen[bytes]

    def client(self) -> Any:
        """A boto3 S3 client of this server (to create buckets and look at what the service stored)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def bucket(self, name: str) -> str:
        """Create bucket ``name``; returns it."""
        self.client().create_bucket(Bucket=name)
        return name

    def aws_env(self) -> dict[str, str]:
        """The standard AWS environment a docgen process finds its credentials and region in."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": REGION,
                "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip

    def stop(self) -> None:
        """Stop the server (the store is down from now on)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def s3_server(log_dir: Path) -> Iterator[S3Server]:
    """Start ``moto_server`` on a free 127.0.0.1 port; yield it once it answers; stop it afterwards."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"moto-{port}.log"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = S3Server(f"http://127.0.0.1:{port}", proc)
    try:
        wait_http(f"{server.endpoint}/", proc, log, seconds=30)
        yield server
    finally:
        server.stop()
