"""A TCP proxy between Coproduce and PostgreSQL that a test can cut, restore, or have drop a
connection just after the server was sent a commit of events (the server commits, the client
never hears that it did)."""

from __future__ import annotations

import socket
import threading
import time

# How a save of events starts (a sign-in's query also names the events' table, but reads it)
EVENTS_INSERT = b'INSERT INTO "public"."coproduce_events"'


class Proxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = 0
        self.commits_to_drop = 0
        self.cut_after_drop = False  # and then refuse every connection until restored
        self.dropped = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.restore()

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    def restore(self) -> None:
        """Accept connections again (on the same port)."""
        listener = socket.create_server(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """The database goes away: every connection is closed, new ones are refused."""
        if self._listener is not None:
            _close(self._listener)  # shut down first: a close alone does not wake the thread in accept()
            self._listener = None
        with self._lock:
            doomed, self._sockets = self._sockets, set()
        for each in doomed:
            _close(each)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets |= {client, server}
            deaf = threading.Event()  # set: nothing more from the server reaches this client
            threading.Thread(target=self._pump_to_server, args=(client, server, deaf), daemon=True).start()
            threading.Thread(target=self._pump_to_client, args=(server, client, deaf), daemon=True).start()

    def _pump_to_server(self, client: socket.socket, server: socket.socket, deaf: threading.Event) -> None:
        saving = False
        try:
            while data := client.recv(65536):
                saving = saving or EVENTS_INSERT in data
                if saving and b"COMMIT" in data:
                    saving = False
                    if self._take_a_drop():
                        deaf.set()  # before the commit goes: its answer must not get through
                        server.sendall(data)
                        time.sleep(0.05)  # the server commits; its answer never reaches the client
                        if self.cut_after_drop:
                            self.cut()
                        break
                server.sendall(data)
        except OSError:
            pass
        _close(client)
        _close(server)

    @staticmethod
    def _pump_to_client(server: socket.socket, client: socket.socket, deaf: threading.Event) -> None:
        try:
            while data := server.recv(65536):
                if not deaf.is_set():  # once deaf, the answers are swallowed until the proxy closes
                    client.sendall(data)
        except OSError:
            pass
        _close(server)
        _close(client)

    def _take_a_drop(self) -> bool:
        with self._lock:
            if self.commits_to_drop <= 0:
                return False
            self.commits_to_drop -= 1
            self.dropped += 1
            return True


def _close(each: socket.socket) -> None:
    try:
        each.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    each.close()
