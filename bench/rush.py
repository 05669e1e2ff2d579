"""A sign-up rush: N people load the form, submit it and follow the emailed confirm link.

    python -m bench.rush [--n 10000] [--concurrency 32] [--db] [--quick]

The product runs under gunicorn (4 workers) on SQLite (or PostgreSQL with --db); the
baseline is a one-line Flask endpoint under the same gunicorn settings, in the same run.
The three steps run as phases, each with `--concurrency` clients, so each step has its
own throughput; the confirm phase follows links read from the local SMTP sink.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time

import aiohttp
from sqlalchemy import create_engine, text

from .common import (
    PG_URL,
    SLUG,
    CpuMeter,
    Gunicorn,
    Sink,
    Site,
    free_port,
    percentile,
    table,
)

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Person:
    __slots__ = ("index", "email", "cookie", "csrf", "confirm_path")

    def __init__(self, index: int):
        self.index = index
        self.email = f"person{index:06d}@rush.no"
        self.cookie = self.csrf = self.confirm_path = None


async def run_phase(count: int, concurrency: int, request) -> tuple[list[float], float, int]:
    """Run request(i) for i in range(count) with `concurrency` clients; latencies, wall, errors."""
    latencies: list[float] = []
    errors = 0
    items = iter(range(count))

    async def client():
        nonlocal errors
        for i in items:
            started = time.perf_counter()
            try:
                ok = await request(i)
            except (TimeoutError, aiohttp.ClientError):
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, errors


def session_cookie(response) -> str | None:
    for header in response.headers.getall("Set-Cookie", []):
        if header.startswith("session="):
            return header.split(";", 1)[0]
    return None


async def rush(
    url: str, people: list[Person], concurrency: int, links: dict, meter: CpuMeter
) -> tuple[dict, dict]:
    """Run the three steps; their (latencies, wall, errors) and (workers, db) CPU seconds."""
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=concurrency)
    form_url = f"{url}/events/{SLUG}/"
    results, cpu = {}, {}
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout, connector=connector
    ) as http:

        async def load_form(i: int) -> bool:
            person = people[i]
            async with http.get(form_url) as response:
                page = await response.text()
                person.cookie = session_cookie(response)
                match = CSRF.search(page)
                person.csrf = match.group(1) if match else None
                return response.status == 200 and person.csrf is not None

        async def submit(i: int) -> bool:
            person = people[i]
            data = {
                "csrf_token": person.csrf or "",
                "name": f"Person {person.index}",
                "email": person.email,
                "organisation": "Rush AS",
                "group": "medlem" if person.index % 3 == 0 else "andre",
                "phone": "",
                "dietary": "",
                "consent": "y",
                "reference_code": "",
            }
            headers = {"Cookie": person.cookie} if person.cookie else {}
            async with http.post(
                form_url, data=data, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                return response.status == 303

        confirm_order: list[Person] = []

        async def confirm(i: int) -> bool:
            person = confirm_order[i]
            path = await links[person.email]
            # The link opens a page with one button; its POST confirms.
            async with http.get(url + path) as response:
                page = await response.text()
                cookie = session_cookie(response) or person.cookie
                match = CSRF.search(page)
                if response.status != 200 or match is None:
                    return False
            data = {"csrf_token": match.group(1)}
            headers = {"Cookie": cookie} if cookie else {}
            async with http.post(url + path, data=data, headers=headers) as response:
                await response.read()
                return response.status == 200

        async def phase(name: str, step) -> None:
            before = meter.read()
            results[name] = await run_phase(len(people), concurrency, step)
            cpu[name] = tuple(b - a for a, b in zip(before, meter.read(), strict=True))

        await phase("load form", load_form)
        await phase("submit", submit)
        # Confirm in the order the emails arrive, as people would.
        confirm_order.extend(sorted(people, key=lambda p: links_order.get(p.email, 1e18)))
        await phase("confirm", confirm)
    return results, cpu


links_order: dict[str, float] = {}


async def baseline(url: str, count: int, concurrency: int):
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def hello(_i: int) -> bool:
            async with http.get(url + "/") as response:
                await response.read()
                return response.status == 200

        return await run_phase(count, concurrency, hello)


def database_counts(db_url: str) -> tuple[dict, dict, int]:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        states = dict(
            connection.execute(
                text("SELECT state, count(*) FROM registration GROUP BY state")
            ).all()
        )
        mails = dict(
            connection.execute(
                text("SELECT state, count(*) FROM outbox_message GROUP BY state")
            ).all()
        )
        capacity = connection.execute(text("SELECT capacity FROM event")).scalar_one()
    engine.dispose()
    return states, mails, capacity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="people (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 people")
    parser.add_argument("--concurrency", type=int, default=32, help="clients (32 to 64)")
    parser.add_argument("--capacity", type=int, help="seats (default: half of the people)")
    parser.add_argument(
        "--db",
        nargs="?",
        const=PG_URL,
        default=None,
        help=f"PostgreSQL URL (default {PG_URL}); SQLite file otherwise",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--gunicorn", default="", help="extra gunicorn options, quoted")
    args = parser.parse_args()
    n = 1000 if args.quick else args.n
    capacity = args.capacity or n // 2
    extra = args.gunicorn.split()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    links: dict[str, asyncio.Future] = {}
    people = [Person(i) for i in range(n)]
    for person in people:
        links[person.email] = loop.create_future()

    def on_message(at: float, recipient: str, paths: list[str]) -> None:
        for path in paths:
            if path.startswith("/c/") and recipient in links:
                links_order.setdefault(recipient, at)
                loop.call_soon_threadsafe(_resolve, links[recipient], path)

    sink = Sink(links=True, on_message=on_message)
    try:
        port = free_port()
        server = Gunicorn("bench.baseline:app", port, workers=args.workers, extra=extra)
        try:
            base = loop.run_until_complete(baseline(server.url, n, args.concurrency))
        finally:
            server.stop()

        site = Site(capacity, args.db, sink.port, free_port())
        server = Gunicorn(
            "app:create_app()", site.port, env=site.env, workers=args.workers, extra=extra
        )
        try:
            meter = CpuMeter(server, site.db_url)
            started = time.perf_counter()
            steps, cpu = loop.run_until_complete(
                rush(site.url, people, args.concurrency, links, meter)
            )
            last_request = time.perf_counter()
            last_request_mono = time.monotonic()
            before_mail = meter.read()
            all_mail = sink.wait_total(2 * n, timeout=120)
            mail_lag = sink.last_at - last_request_mono
            cpu["mail after"] = tuple(b - a for a, b in zip(before_mail, meter.read(), strict=True))
            rss = server.peak_rss_mb()
        finally:
            server.stop()
        states, mails, capacity = database_counts(site.db_url)
        site.cleanup()
    finally:
        sink.stop()

    report(
        n,
        args,
        base,
        steps,
        last_request - started,
        states,
        mails,
        capacity,
        sink,
        mail_lag,
        all_mail,
        rss,
    )
    print_cpu(n, cpu, bool(args.db))


def print_cpu(n: int, cpu: dict, postgresql: bool) -> None:
    """CPU milliseconds per person by step: the gunicorn workers and PostgreSQL, from /proc."""
    rows = [[name, 1000 * w / n, 1000 * d / n, 1000 * (w + d) / n] for name, (w, d) in cpu.items()]
    workers, database = (sum(c[i] for c in cpu.values()) for i in (0, 1))
    rows.append(["all", 1000 * workers / n, 1000 * database / n, 1000 * (workers + database) / n])
    db_name = "PostgreSQL ms" if postgresql else "(SQLite: in workers)"
    print(f"\nCPU per person ({n} people; /proc utime+stime, workers and database server)")
    print(table(["step", "workers ms", db_name, "total ms"], rows))


def _resolve(future: asyncio.Future, path: str) -> None:
    if not future.done():
        future.set_result(path)


def report(n, args, base, steps, total, states, mails, capacity, sink, mail_lag, all_mail, rss):
    db = "PostgreSQL" if args.db else "SQLite"
    print(f"\nrush: {n} people, {args.concurrency} clients, gunicorn {args.workers} workers, {db}")
    base_rps = len(base[0]) / base[1]
    rows = [["baseline GET /", len(base[0]), base[2], base_rps, *_ms(base[0]), base[1], 100.0]]
    for name, (latencies, wall, errors) in steps.items():
        rps = len(latencies) / wall
        rows.append(
            [name, len(latencies), errors, rps, *_ms(latencies), wall, 100 * rps / base_rps]
        )
    print(
        table(
            [
                "step",
                "requests",
                "errors",
                "rps",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "wall s",
                "% of baseline",
            ],
            rows,
        )
    )
    held = states.get("admitted", 0) + states.get("offered", 0)
    print(
        table(
            ["figure", "value"],
            [
                ["total time, all steps (s)", total],
                ["people per minute", 60 * n / total],
                ["admitted", states.get("admitted", 0)],
                ["waitlisted", states.get("waitlisted", 0)],
                ["unconfirmed", states.get("unconfirmed", 0)],
                [
                    "capacity / held / overbooked",
                    f"{capacity} / {held} / {max(held - capacity, 0)}",
                ],
                [
                    "emails at sink / expected",
                    f"{sink.count} / {2 * n}" + ("" if all_mail else " (timeout)"),
                ],
                ["outbox rows by state", " ".join(f"{k}={v}" for k, v in sorted(mails.items()))],
                ["last email after last request (s)", mail_lag],
                ["worker peak RSS MB (max of 4)", max(rss) if rss else float("nan")],
            ],
        )
    )


def _ms(latencies: list[float]) -> list[float]:
    return [1000 * percentile(latencies, q) for q in (0.50, 0.95, 0.99)]


if __name__ == "__main__":
    main()
