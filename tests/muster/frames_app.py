"""An ASGI app for tests/muster/test_websocket_frames.py, served by a real uvicorn with ``FramesWSProtocol``.

It echoes every text it receives in a frame it built itself. Asked "which?", it sends a message whose frame
and text differ; told "directly", it writes a frame with the scope's ``write_frame`` and reports whether it
could. Before accepting, it tries a framed send, a plain one and ``write_frame``, and reports what each did in
its first message; after the client has gone, it tries the three again and writes what they did to the file
``FRAMES_LOG`` names.
"""

import json
import os
from typing import Any

from muster.websocket_frames import FRAME_KEY, frame_writer, text_frame


def framed(text: str) -> dict[str, Any]:
    return {"type": "websocket.send", "text": text, FRAME_KEY: text_frame(text)}


async def refusal(send: Any, message: dict[str, Any]) -> str:
    try:
        await send(message)
    except RuntimeError as error:
        return str(error)
    return "sent"


async def gone(send: Any, message: dict[str, Any]) -> str:
    try:
        await send(message)
    except OSError as error:
        return f"OSError {type(error).__name__}"
    return "sent"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "websocket"
    await receive()  # websocket.connect
    write_frame = frame_writer(scope)
    assert write_frame is not None
    before_accept = {
        "framed": await refusal(send, framed("too early")),
        "plain": await refusal(send, {"type": "websocket.send", "text": "too early"}),
        "written": write_frame(text_frame("too early")),
    }
    await send({"type": "websocket.accept"})
    await send(framed(json.dumps(before_accept)))
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            break
        if message["text"] == "directly":
            await send(framed(json.dumps({"written": write_frame(text_frame("written directly"))})))
        elif message["text"] == "which?":
            # Text and frame disagree: the client reads which of the two the server wrote.
            await send({"type": "websocket.send", "text": "the text", FRAME_KEY: text_frame("the frame")})
        else:
            await send(framed(message["text"]))
    outcomes = [f"written {write_frame(text_frame('after the client went'))}"]
    outcomes.append(await gone(send, framed("after the client went")))
    outcomes.append(await gone(send, {"type": "websocket.send", "text": "after the client went"}))
    with open(os.environ["FRAMES_LOG"], "a") as log:
        log.write(" / ".join(outcomes) + "\n")
