"""`python -m loadtest.run_load`: seed tenants, run Locust headless, print the CSV summary.

The server is started elsewhere (`make load` starts it with provider doubles); this
command only talks to it over HTTP, as an operator would: companies are created through
the platform-admin API, then Locust places simulated Twilio calls to their numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tenancy.models.company import TradeCategory

TRADES = tuple(TradeCategory)
SEED_CONCURRENCY = 8
NUMBER_ATTEMPTS = 5  # a number another company owns is a 409: try another


@dataclass(frozen=True, slots=True)
class Tenant:
    """One seeded company the load test calls; the tenants file lists these."""

    company_id: str
    number: str  # E.164, the company's Twilio number
    trade: str  # a TradeCategory value: which caller scripts fit


def write_tenants(path: Path, tenants: Sequence[Tenant]) -> None:
    rows = [{"companyId": t.company_id, "number": t.number, "trade": t.trade} for t in tenants]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2) + "\n")


def read_tenants(path: Path) -> list[Tenant]:
    """The tenants file; a clear error when it is missing, empty or not ours."""
    try:
        rows = json.loads(path.read_text())
        tenants = [Tenant(str(r["companyId"]), str(r["number"]), str(r["trade"])) for r in rows]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"cannot read tenants file {path}: {exc!r}") from exc
    if not tenants:
        raise ValueError(f"tenants file {path} lists no tenants")
    return tenants


# --- seeding ------------------------------------------------------------------------------

KNOWLEDGE: dict[TradeCategory, tuple[tuple[str, str], ...]] = {
    TradeCategory.HVAC: (
        ("Do you service heat pumps?", "Yes, we repair, maintain and install heat pumps."),
        ("How much does a tune-up cost?", "A seasonal tune-up is $129, or $99 for members."),
        ("Do you offer financing?", "Yes, 0% financing for 18 months on approved credit."),
    ),
    TradeCategory.PLUMBING: (
        ("Do you install tankless water heaters?", "Yes, we size, install and service them."),
        ("What is your service call fee?", "Our service call is $89, waived if we do the job."),
        ("Do you charge extra on weekends?", "Weekend visits add a $50 after-hours fee."),
    ),
    TradeCategory.ELECTRICAL: (
        ("Do you do panel upgrades?", "Yes, 100 to 200 amp upgrades, permits included."),
        ("What do you charge for a diagnostic visit?", "A diagnostic visit is $95."),
        ("Do you install EV chargers?", "Yes, Level 2 chargers, usually in one day."),
    ),
}


def company_profile(index: int, trade: TradeCategory, number: str) -> dict[str, Any]:
    """A plausible company that answers around the clock, so every call gets the agent."""
    every_day = [
        {"day": day, "enabled": True, "start": "00:00", "end": "23:59"}
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    ]
    return {
        "companyName": f"Load {trade.value} Co {index:04d}",
        "companyPhone": number,
        "tradeCategories": [trade.value],
        "timezone": "America/New_York",
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": number, "isPrimary": True}]},
        "agentSetup": {"operatingHours": every_day},
    }


class TenantSeeder:
    """Creates load-test companies through the admin API, each with a number, Q&A and staff."""

    def __init__(self, http: httpx.AsyncClient, admin_token: str, rng: random.Random) -> None:
        self._http = http
        self._auth = {"Authorization": f"Bearer {admin_token}"}
        self._rng = rng
        self._area = rng.randint(201, 989)  # one random block per run: numbers stay unique

    async def seed(self, count: int) -> list[Tenant]:
        gate = asyncio.Semaphore(SEED_CONCURRENCY)

        async def one(index: int) -> Tenant:
            async with gate:
                return await self.seed_one(index, TRADES[index % len(TRADES)])

        return list(await asyncio.gather(*(one(i) for i in range(count))))

    async def seed_one(self, index: int, trade: TradeCategory) -> Tenant:
        company_id, number = await self._create_company(index, trade)
        for question, answer in KNOWLEDGE[trade]:
            entry = {"question": question, "answer": answer, "category": "load"}
            await self._post(f"/api/company/{company_id}/knowledge", entry)
        on_call = {"name": f"On-call tech {index}", "role": "Technician",
                   "phone": self._number(), "isOnCall": True}
        await self._post(f"/api/company/{company_id}/employees", on_call)
        return Tenant(company_id, number, trade.value)

    async def _create_company(self, index: int, trade: TradeCategory) -> tuple[str, str]:
        for _ in range(NUMBER_ATTEMPTS):
            number = self._number()
            response = await self._http.post(
                "/api/company", json=company_profile(index, trade, number), headers=self._auth
            )
            if response.status_code != 409:
                return str(_json_or_raise(response)["_id"]), number
        raise RuntimeError(f"no free phone number after {NUMBER_ATTEMPTS} tries")

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _json_or_raise(await self._http.post(path, json=body, headers=self._auth))

    def _number(self) -> str:
        return f"+1{self._area}555{self._rng.randint(0, 9999):04d}"


def _json_or_raise(response: httpx.Response) -> dict[str, Any]:
    if not response.is_success:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}: {response.text[:300]}"
        )
    body: dict[str, Any] = response.json()
    return body


async def seed_tenants(host: str, admin_token: str, count: int, seed: int | None) -> list[Tenant]:
    async with httpx.AsyncClient(base_url=host, timeout=30) as http:
        return await TenantSeeder(http, admin_token, random.Random(seed)).seed(count)


# --- running Locust -----------------------------------------------------------------------

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def locust_command(args: argparse.Namespace) -> list[str]:
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", args.host, "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", args.run_time, "--csv", args.csv, "--only-summary",
    ]
    if args.processes > 1:
        command += ["--processes", str(args.processes)]
    return command


def locust_env(args: argparse.Namespace, tenants_file: Path) -> dict[str, str]:
    """What the locustfile reads: the one place its configuration is handed over."""
    env = dict(os.environ)
    env.update({
        "CLIENTSVIA_LOAD_TENANTS": str(tenants_file),
        "CLIENTSVIA_TWILIO_AUTH_TOKEN": args.twilio_auth_token,
        "CLIENTSVIA_PUBLIC_BASE_URL": args.public_base_url or args.host,
        "CLIENTSVIA_LOAD_PACING": args.pacing,
    })
    if args.seed is not None:
        env["CLIENTSVIA_LOAD_SEED"] = str(args.seed)
    return env


def summarize(stats_csv: Path) -> str:
    """One line per request kind from Locust's `_stats.csv`: count, failures, p50/p95/p99."""
    with stats_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    lines = [f"{'type':<7} {'name':<32} {'count':>7} {'fail':>6} {'p50':>7} {'p95':>7} "
             f"{'p99':>7} {'max':>8}  (ms)"]
    for row in rows:
        lines.append(
            f"{row['Type'] or '':<7} {row['Name']:<32} {row['Request Count']:>7} "
            f"{row['Failure Count']:>6} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7} "
            f"{float(row['Max Response Time']):>8.0f}"
        )
    return "\n".join(lines)


def build_parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loadtest.run_load", description=__doc__)
    parser.add_argument("--host", default="http://127.0.0.1:8000", help="server to load")
    parser.add_argument("--public-base-url", default=env.get("CLIENTSVIA_PUBLIC_BASE_URL"),
                        help="the server's PUBLIC_BASE_URL, which signatures cover "
                             "(default: --host)")
    parser.add_argument("--admin-token", default=env.get("CLIENTSVIA_ADMIN_TOKEN"),
                        help="platform-admin JWT for seeding (env CLIENTSVIA_ADMIN_TOKEN)")
    parser.add_argument("--twilio-auth-token", default=env.get("CLIENTSVIA_TWILIO_AUTH_TOKEN"),
                        help="platform Twilio auth token to sign with "
                             "(env CLIENTSVIA_TWILIO_AUTH_TOKEN)")
    parser.add_argument("--tenants", type=int, default=20, help="companies to seed")
    parser.add_argument("--tenants-file", type=Path, default=Path("var/load/tenants.json"),
                        help="where the seeded tenants are written (or read with --reuse)")
    parser.add_argument("--reuse-tenants", action="store_true",
                        help="call the tenants in --tenants-file instead of seeding new ones")
    parser.add_argument("--users", type=int, default=50, help="concurrent calls")
    parser.add_argument("--spawn-rate", type=float, default=5, help="new calls per second")
    parser.add_argument("--run-time", default="60s", help="e.g. 60s, 5m")
    parser.add_argument("--csv", default="var/load/run", help="Locust CSV prefix")
    parser.add_argument("--pacing", choices=("paced", "unpaced"),
                        default=env.get("CLIENTSVIA_LOAD_PACING", "paced"),
                        help="paced: a turn every 3-9 s like people; unpaced: no waits")
    parser.add_argument("--processes", type=int, default=1, help="Locust worker processes")
    parser.add_argument("--seed", type=int, default=None, help="seed for reproducible runs")
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    args = build_parser(env).parse_args(argv)
    if not args.twilio_auth_token:
        print("error: give --twilio-auth-token (or CLIENTSVIA_TWILIO_AUTH_TOKEN)", file=sys.stderr)
        return 2
    if args.reuse_tenants:
        tenants = read_tenants(args.tenants_file)
        print(f"reusing {len(tenants)} tenants from {args.tenants_file}")
    else:
        if not args.admin_token:
            print("error: seeding needs --admin-token (or CLIENTSVIA_ADMIN_TOKEN)",
                  file=sys.stderr)
            return 2
        tenants = asyncio.run(seed_tenants(args.host, args.admin_token, args.tenants, args.seed))
        write_tenants(args.tenants_file, tenants)
        print(f"seeded {len(tenants)} tenants into {args.tenants_file}")
    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    command = locust_command(args)
    print("running:", " ".join(command), flush=True)
    code = subprocess.run(command, env=locust_env(args, args.tenants_file), check=False)
    stats = Path(f"{args.csv}_stats.csv")
    if stats.exists():
        print(summarize(stats))
    return code.returncode


if __name__ == "__main__":
    sys.exit(main())
