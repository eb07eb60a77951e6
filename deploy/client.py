"""A minimal client of Streamlit's browser protocol: one session over ``/_stcore/stream``, as the browser
speaks it, without a browser.

Used by ``deploy/serve.py check`` (drive each replica through the proxy), ``tests/deploy/test_proxy.py``
and ``bench/hall.py`` (N simulated students). The protocol, as Streamlit 1.67's frontend speaks it:

* the websocket ``/_stcore/stream``, subprotocols ``["streamlit", <xsrf token>, <session id to resume>]``
  (only the first is needed without an ``Origin`` header); every frame is one binary protobuf, a
  ``BackMsg`` up and a ``ForwardMsg`` down;
* a run is ``BackMsg(rerun_script=ClientState(...))``: ``page_name`` is the page's URL path on the first
  run, ``page_script_hash`` after it (from ``new_session``); ``fragment_id`` reruns one ``@st.fragment``
  (a widget inside it sends it); ``widget_states`` the values the browser holds (the server keeps the
  rest from the last run); ``cached_message_hashes`` the big elements the browser has kept, which the
  server then sends as a ``ref_hash`` (``global.minCachedMessageSize``, 10 KB by default);
* the run ends with a ``script_finished`` ForwardMsg;
* a Custom Components v2 element (``bidi_component``) reports its state as a ``json_value`` widget
  state under the element's id: ``{"<state name>": value, ...}``.

Loopback or a proxy you run: this is a load tool, nothing else.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
MAX_CACHED_AGE = 2  # runs a cached message is kept unused, as global.maxCachedMessageAge


class ProtocolError(RuntimeError):
    """The server answered in a way this client does not expect (or the app raised)."""


@dataclass
class Run:
    """What one rerun sent back."""

    seconds: float  # BackMsg sent -> script_finished received
    payload_bytes: int  # the ForwardMsgs as protobuf (what the browser decodes)
    wire_bytes: int  # what arrived on the socket (frames, permessage-deflate if negotiated)
    messages: list[tuple[ForwardMsg, int]]  # each ForwardMsg as received (ref_hash unresolved) and its size
    exceptions: list[str] = field(default_factory=list)  # the text of st.exception elements shown

    def by_kind(self) -> dict[str, int]:
        """Payload bytes per kind of message: 'plotly_chart', 'bidi_component', 'markdown', 'ref_hash', ..."""
        out: dict[str, int] = {}
        for msg, size in self.messages:
            kind = _kind(msg)
            out[kind] = out.get(kind, 0) + size
        return out


def _kind(msg: ForwardMsg) -> str:
    what = msg.WhichOneof("type") or "?"
    if what == "delta":
        d = msg.delta
        what = d.WhichOneof("type") or "?"
        if what == "new_element":
            return d.new_element.WhichOneof("type") or "?"
    return what


class Session:
    """One simulated browser tab on ``base_url`` (``http://host:port``), opening ``page`` (a URL path).

    ``headers``: extra handshake headers, e.g. ``{"Cookie": "lossx_replica=a"}`` to pin a sticky proxy.
    Use as ``async with Session(url, "regression") as s: first = await s.run()``.
    """

    def __init__(self, base_url: str, page: str = "", *, query: str = "",
                 headers: dict[str, str] | None = None, timeout: float = 60.0) -> None:  # fmt: skip
        self.ws_url = base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/")
        self.ws_url += "/_stcore/stream"
        self.page, self.query, self.headers, self.timeout = page, query, dict(headers or {}), timeout
        self.page_script_hash = ""
        self.session_id = ""
        self.handshake_headers: dict[str, str] = {}
        self.elements: dict[tuple[int, ...], Any] = {}  # delta path -> Element (refs resolved)
        self.fragments: dict[tuple[int, ...], str] = {}  # delta path -> fragment id of its delta
        self._widgets: dict[str, WidgetState] = {}  # the values this "browser" holds and sends each run
        self._cache: dict[str, list] = {}  # hash -> [ForwardMsg, runs since last used]
        self._ws: ClientConnection | None = None
        self._wire = 0
        self._touched: set[tuple[int, ...]] = set()

    async def __aenter__(self) -> Session:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        self._ws = await connect(self.ws_url, subprotocols=["streamlit"], additional_headers=self.headers,
                                 max_size=None, open_timeout=self.timeout)  # fmt: skip
        self.handshake_headers = {k.lower(): v for k, v in self._ws.response.headers.raw_items()}
        proto = self._ws  # count the bytes the socket delivers: wrap the protocol's data_received
        inner = proto.data_received

        def counted(data: bytes) -> None:
            self._wire += len(data)
            inner(data)

        proto.data_received = counted  # type: ignore[method-assign]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    # ---- widgets -------------------------------------------------------------------------------------
    def component(self, key: str) -> tuple[str, Any, str]:
        """The v2 component keyed ``key``: (element id, its data as sent, its fragment id or "")."""
        for path, el in self.elements.items():
            if el.WhichOneof("type") == "bidi_component" and el.bidi_component.id.endswith(f"-{key}"):
                bc = el.bidi_component
                kind = bc.WhichOneof("data")
                raw = bc.json if kind == "json" else bc.mixed.json if kind == "mixed" else "null"
                return bc.id, json.loads(raw), self.fragments.get(path, "")
        raise ProtocolError(f"no component keyed {key!r} on the page; elements: {self.summary()}")

    def set_component_state(self, element_id: str, state: dict[str, Any]) -> None:
        """What ``setStateValue(name, value)`` in the component's JS does: the whole state as JSON."""
        self._widgets[element_id] = WidgetState(id=element_id, json_value=json.dumps(state))

    def summary(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for el in self.elements.values():
            out[el.WhichOneof("type") or "?"] = out.get(el.WhichOneof("type") or "?", 0) + 1
        return out

    # ---- a run ---------------------------------------------------------------------------------------
    async def run(self, fragment_id: str = "", *, check: bool = True) -> Run:
        """Send a rerun (of the page, or of one fragment) with the held widget states; collect until done."""
        if self._ws is None:
            raise ProtocolError("not connected")
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if self.page_script_hash:
            cs.page_script_hash = self.page_script_hash
        else:
            cs.page_name = self.page
        cs.fragment_id = fragment_id
        cs.widget_states.widgets.extend(self._widgets.values())
        cs.cached_message_hashes.extend(self._cache)
        t0 = time.perf_counter()
        wire0 = self._wire
        await self._ws.send(msg.SerializeToString())
        got: list[tuple[ForwardMsg, int]] = []
        self._touched: set[tuple[int, ...]] = set()
        async with asyncio.timeout(self.timeout):
            while True:
                raw = await self._ws.recv()
                fm = ForwardMsg()
                fm.ParseFromString(raw)
                got.append((fm, len(raw)))
                if self._take(fm, fragment_id):
                    break
        seconds = time.perf_counter() - t0
        # as the browser does after a run: drop what the run did not send again (in a fragment run, only
        # the fragment's own elements)
        for path in [p for p in self.elements if p not in self._touched]:
            if not fragment_id or self.fragments.get(path) == fragment_id:
                del self.elements[path], self.fragments[path]
        for entry in self._cache.values():
            entry[1] += 1
        self._cache = {h: e for h, e in self._cache.items() if e[1] <= MAX_CACHED_AGE}
        exceptions = [el.exception.message for el in self.elements.values()
                      if el.WhichOneof("type") == "exception"]  # fmt: skip
        run = Run(seconds, sum(n for _, n in got), self._wire - wire0, got, exceptions)
        if check and exceptions:
            raise ProtocolError(f"the app raised: {exceptions[0]}")
        return run

    def _take(self, fm: ForwardMsg, fragment_id: str) -> bool:
        """Apply one ForwardMsg to the page; True when it ends the run."""
        what = fm.WhichOneof("type")
        if what == "ref_hash":
            entry = self._cache.get(fm.ref_hash)
            if entry is None:
                raise ProtocolError(f"server referred to a message this client never cached: {fm.ref_hash}")
            entry[1] = 0
            resolved = ForwardMsg()
            resolved.CopyFrom(entry[0])
            resolved.metadata.CopyFrom(fm.metadata)
            fm, what = resolved, "delta"
        elif fm.metadata.cacheable:
            self._cache[fm.hash] = [fm, 0]
        if what == "new_session":
            self.page_script_hash = fm.new_session.page_script_hash
            self.session_id = fm.new_session.initialize.session_id
            self.elements.clear()
            self.fragments.clear()
        elif what == "navigation":
            self.page_script_hash = fm.navigation.page_script_hash or self.page_script_hash
        elif what == "page_info_changed":
            self.query = fm.page_info_changed.query_string
        elif what == "delta":
            path = tuple(fm.metadata.delta_path)
            if fm.delta.WhichOneof("type") == "new_element":
                self.elements[path] = fm.delta.new_element
                self.fragments[path] = fm.delta.fragment_id
            self._touched.add(path)
        elif what == "script_finished":
            if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise ProtocolError("the script did not compile")
            return fm.script_finished in DONE
        return False


def moved(values: Iterable[float], i: int, by: float) -> list[float]:
    """``values`` with handle ``i`` (mod len) moved by ``by``: one drag."""
    out = [float(v) for v in values]
    out[i % len(out)] += by
    return out


async def drag(session: Session, key: str, i: int, by: float, state: str = "positions") -> Run:
    """Drag handle ``i`` of the drag_points widget ``key`` by ``by`` and wait for the fragment's rerun.

    As the component's JS does on pointer-up: ``setStateValue("positions", {y, rev})`` with the
    revision token the last run sent, which reruns the fragment the widget is in.
    """
    element_id, data, fragment = session.component(key)
    session.set_component_state(element_id, {state: {"y": moved(data["values"], i, by), "rev": data["rev"]}})
    return await session.run(fragment)
