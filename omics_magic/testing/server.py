"""``OmicsServer``: the fake omics service on a loopback HTTP port.

A ``ThreadingHTTPServer`` on 127.0.0.1 (port 0: the OS picks a free one) that
answers through the same wire layer as :func:`~omics_magic.testing.mock_omics`.
Each request gets its own daemon thread, so injected latency on one request
never holds up another. Clients reach it through the standard
``AWS_ENDPOINT_URL_OMICS`` setting, with ``AWS_DISABLE_HOST_PREFIX_INJECTION``
so botocore does not prepend ``control-storage-``/``tags-`` to the host.
Other SDKs have their own switch: the JavaScript SDK v3 ignores that
variable and needs ``disableHostPrefix: true`` in the client's options.

Requests signed for ``sts`` (``AWS_ENDPOINT_URL_STS``) are answered by
:class:`~omics_magic.testing.sts.StsFront`: the backend's STS faults, then
moto's STS (moto must be installed), so roles can be assumed out of process
too and their keys act in the role's account.

A client that hangs up mid-request is logged at DEBUG on this module's
logger, not printed to stderr: clients time out and give up all the time.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .accounts import DEFAULT_ACCOUNT_ID
from .backend import OmicsBackend
from .responses import OmicsWire, WireResponse, signing_scope
from .sts import StsFront

__all__ = ["OmicsServer"]

logger = logging.getLogger(__name__)
# What a client hanging up looks like from here: a reset, a broken pipe, a timeout.
_HANG_UPS = (ConnectionError, TimeoutError)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses pooled connections
    timeout = 30  # idle keep-alive connections don't hold a thread forever
    disable_nagle_algorithm = True  # headers and body go out as two writes; no 40 ms stalls

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        self.server.track(self.connection, add=False)
        super().finish()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client hung up before sending all of its body
            logger.debug("client %s hung up mid-request (%s)", self.client_address, self.path)
            self.close_connection = True
            return
        headers = dict(self.headers.items())
        scope = signing_scope(headers)
        answer: WireResponse
        if scope is not None and scope[2] == "sts":
            answer = self.server.sts.handle(self.command, headers, body)
        else:
            url = f"http://{self.headers.get('Host', 'localhost')}{self.path}"
            answer = self.server.wire.handle(self.command, url, headers, body)
        if self.server.stopping.is_set():
            self.close_connection = True  # stopped meanwhile: hang up, as a dead server would
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if answer.body:
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the RequestLog records requests; stderr noise helps nobody


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a handler sleeping on latency
    # socketserver listens with a backlog of 5: a client opening 100+ connections
    # at once (10 regions x a pool each) overflows it, and every dropped handshake
    # stalls its connection for a second. Real endpoints have deep backlogs.
    request_queue_size = 1024
    wire: OmicsWire
    sts: StsFront

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.stopping = threading.Event()

    def track(self, connection: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if self.stopping.is_set() or isinstance(error, _HANG_UPS):
            # After stop(), or when a client gives up mid-request: expected, not news.
            logger.debug("connection from %s ended: %r", client_address, error)
            return
        logger.error("OmicsServer failed on a request from %s", client_address, exc_info=True)

    def close_connections(self) -> None:
        # Keep-alive connections would otherwise go on being answered after stop().
        with self._connections_lock:
            open_now = list(self._connections)
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class OmicsServer:
    """A threaded HTTP server answering AWS HealthOmics calls from a backend.

    Parameters
    ----------
    backend
        The state to serve (a new :class:`OmicsBackend` if None).
    host, port
        Where to listen; the default picks a free loopback port.

    Examples
    --------
    >>> import boto3
    >>> from botocore.config import Config
    >>> with OmicsServer() as server:
    ...     _ = server.backend.seed(["us-east-1"], 3)
    ...     client = boto3.client(
    ...         "omics",
    ...         region_name="us-east-1",
    ...         endpoint_url=server.endpoint_url,
    ...         config=Config(inject_host_prefix=False),  # or set the vars of server.env()
    ...     )
    ...     len(client.list_sequence_stores()["sequenceStores"])
    3
    """

    def __init__(
        self, backend: OmicsBackend | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.backend = backend if backend is not None else OmicsBackend()
        self._address = (host, port)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>`` (only once started)."""
        if self._httpd is None:
            raise RuntimeError("OmicsServer is not running; call start() first")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def env(
        self, *, account_id: str = DEFAULT_ACCOUNT_ID, credentials: bool = True
    ) -> dict[str, str]:
        """The environment variables that point boto3 clients (and the CLI) at this server.

        ``AWS_ENDPOINT_URL_OMICS`` and ``AWS_ENDPOINT_URL_STS`` (STS answered
        through moto), ``AWS_DISABLE_HOST_PREFIX_INJECTION``, and fake
        credentials of ``account_id`` (``AWS_ACCESS_KEY_ID``,
        ``AWS_SECRET_ACCESS_KEY``), so that a shell without any needs nothing
        else. ``credentials=False`` leaves the caller's own credentials in place.
        A region is not set: pass one to clients (omics_magic picks its own).

        Examples
        --------
        >>> with OmicsServer() as server:
        ...     for name in sorted(server.env()):
        ...         print(name)
        AWS_ACCESS_KEY_ID
        AWS_DISABLE_HOST_PREFIX_INJECTION
        AWS_ENDPOINT_URL_OMICS
        AWS_ENDPOINT_URL_STS
        AWS_SECRET_ACCESS_KEY
        """
        env = {
            "AWS_ENDPOINT_URL_OMICS": self.endpoint_url,
            "AWS_ENDPOINT_URL_STS": self.endpoint_url,
            "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        }
        if credentials:
            env.update(self.backend.credentials(account_id).env())
        return env

    def start(self) -> OmicsServer:
        """Listen and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        httpd = _Server(self._address, _Handler)
        # Latency sleeps wake up at stop(), so no handler thread outlives the server by long.
        httpd.wire = OmicsWire(self.backend, unknown_region="answer", sleep=httpd.stopping.wait)
        httpd.sts = StsFront(self.backend)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"OmicsServer:{httpd.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (does not wait for in-flight requests)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OmicsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.endpoint_url if self._httpd is not None else "stopped"
        return f"<OmicsServer {where}>"
