"""A TCP proxy for the Redis drills, run as its own process (`python tcp_proxy.py PORT
TARGET`): killing it cuts the network between the app and Redis while Redis keeps
its data. Imports nothing of the project, so it starts in a few milliseconds."""

import contextlib
import socket
import sys
import threading


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


def serve(port: int, target: int) -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    while True:
        client, _address = listener.accept()
        upstream = socket.create_connection(("127.0.0.1", target))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
