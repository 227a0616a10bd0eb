"""``/v1/flows``: list, get and put flows; run them (optionally streaming events) and run
them over records."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from dffml_nb.http.bodies import documented, read
from dffml_nb.http.problems import Problem
from dffml_nb.http.routes import problems
from dffml_nb.http.runs import GONE, TIMEOUT, FlowRun, event_document
from dffml_nb.http.schemas import (
    FlowDocument,
    FlowList,
    RecordsResult,
    RecordsRunBody,
    RunBody,
    RunResult,
)

router = APIRouter(tags=["flows"])
log = logging.getLogger("dffml_nb.http")

_STREAM = {
    "description": "The results; with `?stream=true` a `text/event-stream` of the run's events "
    "(`context_started`, `operation_started`, `operation_finished`, `operation_failed`, "
    "`context_finished`), an `error` event if the run failed or timed out, and last a "
    "`results` event with the same JSON as the plain response",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


def _service(request: Request) -> Any:
    return request.app.state.service


@router.get("", response_model=FlowList, operation_id="list_flows", responses=problems(401))
async def list_flows(request: Request) -> dict:
    return {"flows": sorted(_service(request).flows)}


@router.get(
    "/{name}",
    response_model=FlowDocument,
    operation_id="get_flow",
    responses=problems(401, 404),
)
async def get_flow(name: str, request: Request) -> JSONResponse:
    """The flow in the export format (what ``PUT`` takes and ``dffml-nb dataflow create`` prints)."""
    return JSONResponse(_service(request).flow_document(name))


@router.put(
    "/{name}",
    response_model=FlowDocument,
    operation_id="put_flow",
    responses=problems(400, 401, 413, 415, 422),
    openapi_extra=documented(FlowDocument),
)
async def put_flow(name: str, request: Request) -> JSONResponse:
    """Register a flow. Its operations must be registered ones or operations of flows this
    server already serves: the server never imports a module named in a request."""
    body = await read(request, FlowDocument)
    return JSONResponse(_service(request).put_flow(name, body.model_dump()))


@router.post(
    "/{name}/run",
    response_model=RunResult,
    operation_id="run_flow",
    responses={200: _STREAM, **problems(400, 401, 404, 413, 415, 422, 504)},
    openapi_extra=documented(RunBody),
)
async def run_flow(
    name: str,
    request: Request,
    stream: bool = Query(False, description="answer with a text/event-stream of the run's events"),
) -> Response:
    """Run the flow over ``contexts`` (or one context ``"0"`` of ``inputs``)."""
    body = await read(request, RunBody)
    service = _service(request)
    given = body.contexts if body.contexts is not None else {"0": body.inputs or {}}
    contexts = service.contexts(name, given)
    run = service.start_run(
        name,
        contexts,
        strict=body.strict,
        timeout=request.app.state.settings.timeout,
        events=stream,
        receive=request.receive,
    )
    if stream:
        return EventStream(run)
    try:
        await run.wait()
    finally:
        await run.close()
    if run.outcome == TIMEOUT:
        raise run.timeout_problem()
    if run.outcome == GONE:
        return Response(status_code=204)  # nobody is listening any more
    problem = run.failure_problem()
    if problem is not None:
        raise problem
    # Server-Timing: the executor's own share of the request, for clients and benchmarks
    return JSONResponse(
        run.document(), headers={"Server-Timing": f"run;dur={run.duration * 1e3:.3f}"}
    )


@router.post(
    "/{name}/records",
    response_model=RecordsResult,
    operation_id="run_records",
    responses=problems(400, 401, 404, 413, 415, 422, 504),
    openapi_extra=documented(RecordsRunBody),
)
async def run_records(name: str, request: Request) -> JSONResponse:
    """``run_records``: each record is one context; the flow's results join its features."""
    body = await read(request, RecordsRunBody)
    service = _service(request)
    service.flow(name)  # 404 before any work
    records = body.records
    timeout = request.app.state.settings.timeout
    try:
        done = await asyncio.wait_for(
            asyncio.to_thread(
                service.run_records,
                name,
                records,
                record_def=body.record_def,
                inputs=body.inputs,
                strict=body.strict,
            ),
            timeout,
        )
    except asyncio.TimeoutError:
        raise Problem(
            504,
            f"running the flow over {len(records)} records did not finish within the server's "
            f"timeout of {timeout:g} s",
            title="Run timed out",
        ) from None
    return JSONResponse(done)


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


class EventStream(StreamingResponse):
    """``text/event-stream`` of a :class:`FlowRun`: its events, an ``error`` event if it failed
    or timed out, then ``results``. Stops the run if the client goes away."""

    def __init__(self, run: FlowRun) -> None:
        super().__init__(
            iter(()),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self.run = run

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        run = self.run
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            async for event in run.events():
                await send(_body(_sse(event.kind, event_document(event))))
            if run.outcome == GONE:
                return
            problem = run.timeout_problem() if run.outcome == TIMEOUT else _failure(run)
            if problem is not None:
                await send(_body(_sse("error", problem.document())))
            await send(_body(_sse("results", run.document()), more=False))
        except OSError:  # the client went away while we wrote
            pass
        finally:
            await run.close()


def _body(data: bytes, more: bool = True) -> dict:
    return {"type": "http.response.body", "body": data, "more_body": more}


def _failure(run: FlowRun) -> Problem | None:
    try:
        return run.failure_problem()
    except Exception as error:  # a bug, not the client's fault: log it, say only that
        log.error("run failed unexpectedly", exc_info=error)
        return Problem(500, "the run failed unexpectedly; the server's log has the details")
