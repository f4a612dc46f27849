"""A real Kannel for tests: bearerbox, fakesmsc and smsbox on free loopback ports in a tmp dir.

`running_kannel(folder)` writes the shared test config with fresh ports (and admin/box
listeners bound to 127.0.0.1), starts the three programs, waits until an MO round trip
proves the chain works, and yields a `KannelGateway`; it kills all three on the way out.
Without the binaries it calls `need(False, "Kannel")`: a skip on a laptop, a failure in CI.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

from tests.services import need, port_open

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
TEMPLATE = Path(
    os.environ.get(
        "LOA_KANNEL_CONF", Path(__file__).parent / "data" / "kannel" / "smskannel.conf.in"
    )
)
USERNAME, PASSWORD = "tester", "foobar"  # the template's sendsms-user
MO_FROM = "0900000001"  # fakesmsc sends one MO from here; smsbox's reply proves the chain
_GOT = re.compile(r"Got message (\d+): <(.*)>\s*$")


@dataclass(frozen=True)
class Received:
    """One MT as fakesmsc logged it (`Got message N: <from to kind [udh] data>`)."""

    number: int
    sender: str
    receiver: str
    kind: str  # "text" | "data" | "ucs-2"
    udh: bytes
    payload: bytes

    def text(self, encoding: str) -> str:
        """The part's text: UTF-16BE for UCS-2, Kannel's UTF-8 for GSM-7."""
        return self.payload.decode("utf-16-be" if encoding == "ucs2" else "utf-8")

    @property
    def part(self) -> tuple[int, int]:
        """(sequence, total) from a concatenation UDH (05 00 03 ref total seq); (1, 1) without."""
        if len(self.udh) >= 6 and self.udh[1] == 0:
            return self.udh[5], self.udh[4]
        return 1, 1


def _decode(data: str) -> bytes:
    return unquote_to_bytes(data.replace("+", "%20"))


def parse_received(line: str) -> Received | None:
    """A `Received` from one fakesmsc log line, or None for other lines."""
    match = _GOT.search(line)
    if not match:
        return None
    sender, receiver, kind, rest = [*match.group(2).split(" ", 3), ""][:4]
    udh = b""
    if kind == "udh":
        encoded_udh, kind, rest = [*rest.split(" ", 2), "", ""][:3]
        udh = _decode(encoded_udh)
    payload = rest.encode() if kind == "text" else _decode(rest)
    return Received(int(match.group(1)), sender, receiver, kind, udh, payload)


@dataclass
class KannelGateway:
    """The running gateway: where to send, and what reached the fake SMSC."""

    folder: Path
    sendsms_url: str
    ports: dict[str, int]
    fakesmsc_log: Path
    pids: dict[str, int] = field(default_factory=dict)
    """Process ids by program ("bearerbox", "smsbox", "fakesmsc"), e.g. to SIGSTOP smsbox."""

    def received(self) -> list[Received]:
        text = self.fakesmsc_log.read_text(encoding="utf-8", errors="replace")
        return [r for r in map(parse_received, text.splitlines()) if r]

    def wait_for(self, receiver: str, parts: int = 1, timeout: float = 10.0) -> list[Received]:
        """The messages `receiver` got, once there are `parts` of them; AssertionError if not."""

        def got() -> list[Received]:
            return [r for r in self.received() if r.receiver == receiver]

        wait_until(lambda: len(got()) >= parts, timeout, f"{parts} message(s) for {receiver}")
        return got()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Kannel: gave up waiting for {what} after {timeout}s")
        time.sleep(0.05)


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 right now (held together, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def write_config(folder: Path, ports: dict[str, int]) -> Path:
    """The shared template with ${KANNEL_DIR}, fresh ports, and loopback-only listeners."""
    text = TEMPLATE.read_text(encoding="utf-8").replace("${KANNEL_DIR}", str(folder))
    for key, port in (
        ("admin-port", ports["admin"]),
        ("smsbox-port", ports["box"]),
        ("bearerbox-port", ports["box"]),
        ("port", ports["smsc"]),
        ("sendsms-port", ports["sendsms"]),
    ):
        text = re.sub(rf"(?m)^{key}\s*=\s*\d+", f"{key} = {port}", text)
    text = text.replace(
        "group = core\n",
        "group = core\nadmin-interface = 127.0.0.1\nsmsbox-interface = 127.0.0.1\n",
        1,
    )
    conf = folder / "kannel.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def _start(stack: ExitStack, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    out = stack.enter_context(log.open("ab"))
    process = subprocess.Popen(
        args, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent, start_new_session=True
    )
    stack.callback(_stop, process)
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=3)


@contextmanager
def running_kannel(folder: Path) -> Iterator[KannelGateway]:
    """Start bearerbox, fakesmsc, smsbox in `folder`; stop all three on exit."""
    need(all(p.exists() for p in (BEARERBOX, SMSBOX, FAKESMSC, TEMPLATE)), "Kannel")
    ports = dict(zip(("admin", "box", "smsc", "sendsms"), free_ports(4), strict=True))
    conf = write_config(folder, ports)
    fakesmsc_log = folder / "fakesmsc.log"
    with ExitStack() as stack:
        bearerbox = _start(stack, [str(BEARERBOX), str(conf)], folder / "bearerbox.out")
        wait_until(
            lambda: port_open("127.0.0.1", ports["box"]) or bearerbox.poll() is not None,
            10,
            "bearerbox",
        )
        assert bearerbox.poll() is None, f"bearerbox exited: see {folder / 'bearerbox.out'}"
        fakesmsc = _start(
            stack,
            [
                str(FAKESMSC),
                "-H",
                "127.0.0.1",
                "-r",
                str(ports["smsc"]),
                "-i",
                "3600",
                "-m",
                "1",
                f"{MO_FROM} 8100 text hi",
            ],
            fakesmsc_log,
        )
        smsbox = _start(stack, [str(SMSBOX), str(conf)], folder / "smsbox.out")
        gateway = KannelGateway(
            folder,
            f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms",
            ports,
            fakesmsc_log,
            {"bearerbox": bearerbox.pid, "smsbox": smsbox.pid, "fakesmsc": fakesmsc.pid},
        )
        wait_until(lambda: port_open("127.0.0.1", ports["sendsms"]), 10, "smsbox sendsms port")
        gateway.wait_for(MO_FROM, 1, timeout=10)
        yield gateway
