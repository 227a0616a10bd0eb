"""The HTTP service against a bare FastAPI endpoint, on loopback, in one run.

Run: ``python benchmarks/bench_http.py [--seconds S] [--rounds N] [--clients N]``.

Two servers run side by side, each one uvicorn worker with the same settings
(no access log, log level warning), in its own process:

- **ours**: ``dffml_nb.http.create_app`` serving the quickstart model (trained
  to a folder, loaded from it) and a 5-operation flow, with auth on;
- **bare**: a FastAPI app whose ``POST /predict`` takes the same JSON, calls the
  same fitted scikit-learn estimator directly and returns the same JSON.

The same client drives both: a minimal keep-alive HTTP/1.1 client on asyncio
streams (cheaper than any library, so the servers, not the client, are measured).
Load-test rounds alternate ours / bare; each side's best round is reported (on a
shared machine, the least disturbed one). Batch requests alternate too; their
median latency and mean CPU are reported (garbage collection is part of a big
body's cost).

1. predict, one row per request, ``--clients`` concurrent connections (16), for
   ``--seconds`` per round: requests/s, p50 and p99 latency; target ours >= 0.8x bare.
2. predict of 10,000 rows in one request: median latency; target ours <= 1.2x bare.
3. ``run`` of a 5-operation flow, same concurrency: requests/s, p99, and the
   executor's own share of the server's CPU time per request (the executor's
   time from the ``Server-Timing: run;dur=`` header each response carries).

With the load tests, the servers' own CPU time per request (from ``/proc``) is
printed too: on a busy machine it compares the servers where wall-clock
throughput also measures everything else running.

Exit status 1 if a target is missed.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TOKEN = "benchmark-token"
FEATURES = ["Years:int:1", "Expertise:int:1", "Trust:float:1"]
ROW = {"Years": 6, "Expertise": 13, "Trust": 0.7}
PREDICT_LIMIT = 0.8  # ours / bare requests per second, at least
BATCH_LIMIT = 1.2  # ours / bare latency for 10,000 rows, at most


# -- the servers (each in its own process: ``--serve ours|bare``) -----------------------------


def five_op_flow() -> Any:
    from dffml_nb.df import DataFlow, op

    @op
    def one(x: int) -> int:
        return x + 1

    @op
    def two(one: int) -> int:
        return one * 2

    @op
    def three(two: int) -> int:
        return two - 3

    @op
    def four(three: int) -> int:
        return three * three

    @op
    def five(four: int) -> int:
        return four % 1000

    return DataFlow(one, two, three, four, five)


def bare_app(model: Any) -> Any:
    """What a hand-written endpoint would be: parse, build the matrix, predict, answer."""
    import numpy as np
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    estimator, confidence = model.estimator, model.confidence
    names = [feature.name for feature in model.features]
    target = model.target.name
    app = FastAPI()

    @app.post("/predict")
    async def predict(request: Request) -> JSONResponse:
        rows = (await request.json())["records"]
        X = np.asarray([[row["features"][name] for name in names] for row in rows], dtype=float)
        values = estimator.predict(X).tolist()
        return JSONResponse(
            {
                "records": [
                    {
                        "key": str(row.get("key", i)),
                        "features": row["features"],
                        "prediction": {target: {"value": value, "confidence": confidence}},
                    }
                    for i, (row, value) in enumerate(zip(rows, values))
                ]
            }
        )

    return app


def serve(kind: str, model_dir: str, port_file: str) -> None:
    import uvicorn

    from dffml_nb.http.app import create_app
    from dffml_nb.http.loading import load_model_dir
    from dffml_nb.http.server import bind
    from dffml_nb.http.settings import Settings

    model = load_model_dir(model_dir)
    if kind == "ours":
        app = create_app(
            {"five": five_op_flow()}, {"salary": model}, settings=Settings(token=TOKEN)
        )
    else:
        app = bare_app(model)
    sock = bind("127.0.0.1", 0)
    Path(port_file).write_text(str(sock.getsockname()[1]))
    config = uvicorn.Config(app, access_log=False, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


# -- the client ----------------------------------------------------------------------------------


def request_bytes(path: str, body: Any) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read one Content-Length response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> "Connection":
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(raw)
        status = int((await self.reader.readline()).split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", 0)))
        return status, headers, body

    def close(self) -> None:
        self.writer.close()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) process ``pid`` has used, from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(port: int, raw: bytes, clients: int, seconds: float, pid: int) -> dict[str, Any]:
    """``clients`` connections sending ``raw`` back to back for ``seconds``.

    Besides wall-clock figures, the server's own CPU time per request: on a busy
    machine (or if the client were the bottleneck) it still compares the servers."""
    latencies: list[float] = []
    timings: list[float] = []
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        connection = await Connection.open(port)
        try:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                status, headers, _ = await connection.send(raw)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    raise RuntimeError(f"status {status}")
                timing = headers.get("server-timing", "")
                if timing.startswith("run;dur="):
                    timings.append(float(timing.split("=")[1]) / 1e3)
        finally:
            connection.close()

    cpu_before = cpu_seconds(pid)
    start = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    wall = time.perf_counter() - start
    cpu_after = cpu_seconds(pid)
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "cpu": None if cpu is None else cpu / len(latencies),
        "executor": statistics.mean(timings) if timings else None,
    }


async def one_request(port: int, raw: bytes) -> tuple[float, bytes]:
    connection = await Connection.open(port)
    try:
        start = time.perf_counter()
        status, _, body = await connection.send(raw)
        elapsed = time.perf_counter() - start
    finally:
        connection.close()
    if status != 200:
        raise RuntimeError(f"status {status}: {body[:200]!r}")
    return elapsed, body


# -- the run -------------------------------------------------------------------------------------


def start_server(kind: str, model_dir: Path, folder: Path) -> "tuple[subprocess.Popen, int]":
    port_file = folder / f"{kind}.port"
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            kind,
            "--model-dir",
            str(model_dir),
            "--port-file",
            str(port_file),
        ]
    )
    try:
        return process, _wait_until_answering(kind, process, port_file)
    except BaseException:
        process.terminate()
        process.wait(30)
        raise


def _wait_until_answering(kind: str, process: subprocess.Popen, port_file: Path) -> int:
    deadline = time.monotonic() + 120
    while not port_file.exists() or not port_file.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the {kind} server did not start")
        time.sleep(0.05)
    port = int(port_file.read_text())
    while True:  # until it answers
        try:
            asyncio.run(
                one_request(port, request_bytes(_path(kind), {"records": [{"features": ROW}]}))
            )
            return port
        except (OSError, ValueError, IndexError):  # not answering yet (a status != 200 is a bug)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _path(kind: str) -> str:
    return "/v1/models/salary/predict" if kind == "ours" else "/predict"


def best_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the most requests/s (on a shared machine, the least disturbed one),
    with the least server CPU per request seen in any round."""
    best = dict(max(rounds, key=lambda r: r["rps"]))
    cpus = [r["cpu"] for r in rounds if r["cpu"]]
    best["cpu"] = min(cpus) if cpus else None
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per round of a load test")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per side (alternating)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--batch", type=int, default=10_000, help="rows in the batch request")
    parser.add_argument("--serve", choices=["ours", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--port-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.model_dir, args.port_file)
        return 0

    from dffml_nb.examples.quickstart import PREDICT
    from dffml_nb.model import Model

    folder = Path(tempfile.mkdtemp(prefix="bench-http-"))
    rows = [
        {"Years": y, "Expertise": 2 * y + 1, "Trust": 0.1 * (y + 1), "Salary": 10 * y + 10}
        for y in range(20)
    ]
    Model.load("scikitlr")(features=FEATURES, predict=PREDICT, location=folder / "model").fit(rows)
    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    try:
        for kind in ("ours", "bare"):
            servers[kind] = start_server(kind, folder / "model", folder)
        return report(args, {kind: port for kind, (_, port) in servers.items()}, servers)
    finally:
        for process, _ in servers.values():  # stopped by the PIDs we started
            process.terminate()
            process.wait(30)


def report(
    args: argparse.Namespace, ports: dict[str, int], servers: dict[str, tuple[Any, int]]
) -> int:
    pids = {kind: process.pid for kind, (process, _) in servers.items()}
    one_row = {kind: request_bytes(_path(kind), {"records": [{"features": ROW}]}) for kind in ports}
    batch_rows = [
        {"key": str(i), "features": {"Years": i % 40, "Expertise": i % 13, "Trust": (i % 10) / 10}}
        for i in range(args.batch)
    ]
    batch = {kind: request_bytes(_path(kind), {"records": batch_rows}) for kind in ports}
    # the same answers from both, before timing anything
    answers = {
        kind: json.loads(asyncio.run(one_request(ports[kind], batch[kind]))[1]) for kind in ports
    }
    ours_values = [r["prediction"]["Salary"]["value"] for r in answers["ours"]["records"]]
    bare_values = [r["prediction"]["Salary"]["value"] for r in answers["bare"]["records"]]
    assert max(abs(a - b) for a, b in zip(ours_values, bare_values)) < 1e-6

    print(
        f"HTTP service vs a bare FastAPI endpoint (loopback, 1 worker each, {os.cpu_count()} CPUs)"
    )
    rounds: dict[str, list[dict[str, Any]]] = {"ours": [], "bare": []}
    for _ in range(args.rounds):
        for kind in ("ours", "bare"):
            rounds[kind].append(
                asyncio.run(
                    load(ports[kind], one_row[kind], args.clients, args.seconds, pids[kind])
                )
            )
    ours, bare = (best_round(rounds[k]) for k in ("ours", "bare"))
    ratio = ours["rps"] / bare["rps"]
    print(
        f"1. predict, 1 row per request, {args.clients} concurrent clients, best of {args.rounds} rounds of {args.seconds:g} s"
    )
    for label, r in (("dffml_nb", ours), ("bare FastAPI", bare)):
        print(
            f"   {label:<14} {r['rps']:8.0f} req/s   p50 {r['p50'] * 1e3:6.2f} ms   p99 {r['p99'] * 1e3:6.2f} ms"
        )
    print(f"   throughput ratio  {ratio:.2f}x  (target >= {PREDICT_LIMIT}x)")
    if ours["cpu"] and bare["cpu"]:
        print(
            f"   server CPU per request: dffml_nb {ours['cpu'] * 1e3:.2f} ms, bare "
            f"{bare['cpu'] * 1e3:.2f} ms -> throughput a free CPU allows {bare['cpu'] / ours['cpu']:.2f}x"
        )

    times: dict[str, list[float]] = {"ours": [], "bare": []}
    cpus: dict[str, list[float]] = {"ours": [], "bare": []}
    for _ in range(max(8, args.rounds * 3)):
        for kind in ("ours", "bare"):
            before = cpu_seconds(pids[kind])
            times[kind].append(asyncio.run(one_request(ports[kind], batch[kind]))[0])
            after = cpu_seconds(pids[kind])
            if before is not None and after is not None:
                cpus[kind].append(after - before)
    # the median, not the best: a big body's garbage collection is part of its cost
    batch_ours, batch_bare = (statistics.median(times[k]) for k in ("ours", "bare"))
    batch_ratio = batch_ours / batch_bare
    print(f"2. predict {args.batch:,} rows in one request (median of {len(times['ours'])})")
    print(f"   dffml_nb {batch_ours * 1e3:8.1f} ms   bare FastAPI {batch_bare * 1e3:8.1f} ms")
    print(f"   latency ratio     {batch_ratio:.2f}x  (target <= {BATCH_LIMIT}x)")
    if cpus["ours"] and cpus["bare"]:
        cpu_ours, cpu_bare = (statistics.mean(cpus[k]) for k in ("ours", "bare"))
        print(
            f"   server CPU per request (mean): dffml_nb {cpu_ours * 1e3:.0f} ms, bare {cpu_bare * 1e3:.0f} ms "
            f"-> {cpu_ours / cpu_bare:.2f}x"
        )

    run = request_bytes("/v1/flows/five/run", {"inputs": {"x": 3}})
    runs = [
        asyncio.run(load(ports["ours"], run, args.clients, args.seconds, pids["ours"]))
        for _ in range(args.rounds)
    ]
    flow = best_round(runs)
    print(f"3. run a 5-operation flow, {args.clients} concurrent clients")
    print(
        f"   {flow['rps']:8.0f} req/s   p50 {flow['p50'] * 1e3:6.2f} ms   p99 {flow['p99'] * 1e3:6.2f} ms"
    )
    share = f" = {flow['executor'] / flow['cpu']:.1%}" if flow["cpu"] else ""
    cpu = f" of {flow['cpu'] * 1e6:.0f} us server CPU" if flow["cpu"] else ""
    print(f"   executor {flow['executor'] * 1e6:6.0f} us per run{share}{cpu} per request")
    return 0 if ratio >= PREDICT_LIMIT and batch_ratio <= BATCH_LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
