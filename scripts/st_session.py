"""A browser session without a browser: Streamlit's own websocket protocol, for load tests (scripts/queue_load.py).

A Session connects to /_stcore/stream as the app's frontend does, asks for a page run (BackMsg.rerun_script with
the page's URL path, its query string and widget values), and reads the ForwardMsgs the server sends back: the
page's elements, until the run's script_finished. Like the frontend, it reruns the page's `run_every` fragments
at their interval (ForwardMsg.auto_rerun) while it stays open. It draws nothing, so many sessions fit on a small
machine that also runs the server; what it measures is the server's side: from asking for a page until the server
has sent all of it.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
FULL_RUN = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


class Session:
    """One browser session of a Streamlit app at url; use `async with Session(url) as s:`."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.ws_url = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.session_id = ""  # the server's id for this session (its first new_session says it)
        self._file_urls: dict[str, asyncio.Future] = {}  # file_urls_request id -> the server's answer
        self.page, self.query, self.page_hash = "", "", ""
        self.elements: dict[tuple, object] = {}  # delta path -> the Element last sent there
        self.widgets: dict[str, WidgetState] = {}  # values this session has set (sent again with every rerun)
        self.fragments: dict[str, float] = {}  # run_every fragments: id -> interval in seconds
        self.finished = asyncio.Event()
        self._touched: set[tuple] = set()  # paths the current run has sent (a full run drops the others at its end)
        self._registered: set[str] = set()  # run_every fragments the current run has set up
        self.errors: list[str] = []
        self._tasks: list[asyncio.Task] = []

    async def __aenter__(self) -> "Session":
        self.ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=120)
        self._tasks.append(asyncio.create_task(self._read()))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.ws.close()

    async def _read(self) -> None:
        async for data in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                path = tuple(msg.metadata.delta_path)
                self.elements[path] = msg.delta.new_element
                self._touched.add(path)
            elif kind == "new_session":  # a run starts (a fragment's too)
                self._touched, self._registered = set(), set()
                if msg.new_session.initialize.session_id:
                    self.session_id = msg.new_session.initialize.session_id
            elif kind == "file_urls_response" and msg.file_urls_response.response_id in self._file_urls:
                self._file_urls.pop(msg.file_urls_response.response_id).set_result(msg.file_urls_response)
            elif kind == "navigation":  # the page that ran: later reruns ask for it by hash, as the frontend does
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "auto_rerun":
                self._registered.add(msg.auto_rerun.fragment_id)
                if msg.auto_rerun.fragment_id not in self.fragments:
                    self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
                    self._tasks.append(asyncio.create_task(self._auto_rerun(msg.auto_rerun.fragment_id)))
            elif kind == "script_finished" and msg.script_finished != RERUN:
                if msg.script_finished == FULL_RUN:  # what the page no longer shows, as the frontend clears it
                    self.elements = {p: e for p, e in self.elements.items() if p in self._touched}
                    for fragment_id in set(self.fragments) - self._registered:  # fragments the page no longer runs
                        del self.fragments[fragment_id]
                self.finished.set()

    async def _auto_rerun(self, fragment_id: str) -> None:
        while fragment_id in self.fragments:
            await asyncio.sleep(self.fragments[fragment_id])
            if fragment_id in self.fragments:  # not left for another page meanwhile
                await self._send(fragment_id=fragment_id)

    async def _send(self, fragment_id: str = "") -> None:
        back = BackMsg()
        state = back.rerun_script
        state.query_string, state.page_name, state.page_script_hash = self.query, self.page, self.page_hash
        state.widget_states.widgets.extend(self.widgets.values())
        if fragment_id:
            state.fragment_id, state.is_auto_rerun = fragment_id, True
        await self.ws.send(back.SerializeToString())

    async def open(self, page: str = "", query: str = "", timeout: float = 300) -> float:
        """Run a page (its URL path: "" for the default page) as a navigation does; seconds until it finished."""
        self.page, self.query, self.page_hash, self.widgets = page, query, "", {}
        for fragment_id in list(self.fragments):  # a new page stops the old page's fragments
            del self.fragments[fragment_id]
        self.elements.clear()
        return await self._run(timeout)

    async def _run(self, timeout: float) -> float:
        self.finished.clear()
        start = time.perf_counter()
        await self._send()
        await asyncio.wait_for(self.finished.wait(), timeout)
        return time.perf_counter() - start

    def element(self, kind: str, label: str):
        """The first element of this kind ("button", "number_input", …) with this label."""
        for path in sorted(self.elements):
            el = self.elements[path]
            if el.WhichOneof("type") == kind and getattr(el, kind).label == label:
                return getattr(el, kind)
        raise LookupError(f"no {kind} labelled {label!r} on the page")

    def text(self) -> str:
        """Everything the page shows, as the protobufs' text (enough to search for a phrase)."""
        return "\n".join(str(self.elements[p]) for p in sorted(self.elements))

    async def set_number(self, label: str, value: int, timeout: float = 300) -> float:
        widget = WidgetState(id=self.element("number_input", label).id, int_value=value)
        self.widgets[widget.id] = widget
        return await self._run(timeout)

    async def choose(self, kind: str, label: str, option: str, timeout: float = 300) -> float:
        """Pick an option of a radio or selectbox by its text (the value Streamlit's frontend sends)."""
        widget = WidgetState(id=self.element(kind, label).id, string_value=option)
        self.widgets[widget.id] = widget
        return await self._run(timeout)

    async def upload(self, label: str, name: str, data: bytes, timeout: float = 300) -> float:
        """Give a file_uploader a file as the frontend does: ask the server for an upload URL (file_urls_request),
        PUT the file there as multipart form data, then rerun with the widget holding the file's id. The server
        must run with --server.enableXsrfProtection false (a browser gets the XSRF cookie from the page)."""
        element = self.element("file_uploader", label)
        request_id = uuid.uuid4().hex
        answer = self._file_urls[request_id] = asyncio.get_running_loop().create_future()
        back = BackMsg()
        back.file_urls_request.request_id, back.file_urls_request.session_id = request_id, self.session_id
        back.file_urls_request.file_names.append(name)
        await self.ws.send(back.SerializeToString())
        urls = (await asyncio.wait_for(answer, timeout)).file_urls[0]
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: text/plain\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        put = urllib.request.Request(
            self.url + urls.upload_url if urls.upload_url.startswith("/") else urls.upload_url,
            data=body,
            method="PUT",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        await asyncio.to_thread(lambda: urllib.request.urlopen(put, timeout=timeout).read())
        del body
        widget = WidgetState(id=element.id)
        widget.file_uploader_state_value.uploaded_file_info.append(
            UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls)
        )
        self.widgets[widget.id] = widget
        return await self._run(timeout)

    async def click(self, label: str, timeout: float = 300) -> float:
        """Press a button: one rerun with its trigger set (the next rerun no longer carries it)."""
        trigger = WidgetState(id=self.element("button", label).id, trigger_value=True)
        self.widgets[trigger.id] = trigger
        try:
            return await self._run(timeout)
        finally:
            self.widgets.pop(trigger.id, None)
