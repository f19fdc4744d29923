"""`clientsvia`: run the platform locally, manage admins and tokens, place a test call."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from runtime.devenv import dev_settings
from runtime.settings import Settings


def _registry_and_users(settings: Settings):  # noqa: ANN202 - small local factory
    import redis.asyncio as aioredis

    from tenancy.registry import CompanyRegistry
    from tenancy.secrets import SecretBox
    from tenancy.users import UserStore

    redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
    secrets = SecretBox(settings.clientsvia_secret_key.get_secret_value())
    return redis, CompanyRegistry(redis, secrets), UserStore(redis, settings.bcrypt_rounds)


def _token_service(settings: Settings):  # noqa: ANN202
    from runtime.serve.auth import TokenService

    return TokenService(settings.jwt_secret.get_secret_value(), settings.jwt_ttl_s)


DEMO_USER = "demo@atlasair.example"


async def _seed(settings: Settings) -> str:
    """Atlas Air, with its Q&A vectors made now rather than on the first caller's turn, and
    its company admin for the console (`DEMO_USER`, password in var/dev.env)."""
    from runtime.devenv import console_demo_password
    from runtime.meaning.entry_vectors import load_entry_vectors
    from runtime.providers.factory import build_embedder
    from tenancy.seed import seed_demo_company
    from tenancy.users import Role

    redis, registry, users = _registry_and_users(settings)
    try:
        company = await seed_demo_company(registry)
        store = registry.tenant(company.id)
        embedder = build_embedder(settings.provider_config())
        await load_entry_vectors(store, embedder, await store.knowledge.list())
        if await users.get(DEMO_USER) is None:
            await users.create(DEMO_USER, console_demo_password(), Role.COMPANY_ADMIN, company.id)
        return company.id
    finally:
        await redis.aclose()


def embedding_model_problem(settings: Settings) -> str | None:
    """Why the embedding model cannot load (one line), or None: checked before anything starts."""
    from runtime.providers.embedding import EmbedderUnavailable
    from runtime.providers.factory import build_embedder

    try:
        build_embedder(settings.provider_config())
    except EmbedderUnavailable as exc:
        return str(exc)
    return None


def cmd_run(args: argparse.Namespace) -> int:
    """Start Redis, Ray and the Serve app, seed Atlas Air, print what to try; Ctrl-C,
    SIGTERM or SIGHUP stops everything it started (`runtime.run_session`)."""
    import ray

    from runtime.actors.pool import ensure_pool
    from runtime.local_run import RunConflict
    from runtime.node import deploy_app, start_ray
    from runtime.run_session import LocalRun
    from tenancy.seed import DEMO_NUMBER
    from tenancy.users import Role

    settings = dev_settings(http_port=args.port)
    reason = embedding_model_problem(settings)
    if reason is not None:
        print(f"clientsvia: cannot start: {reason}", file=sys.stderr)
        return 1
    try:
        with LocalRun(settings) as run:
            with run.holding_stop_signals():
                start_ray(settings)
            run.record_progress()
            deploy_app(settings)
            run.record_progress()
            print("Warming the call-actor pool...", flush=True)
            ray.get(ensure_pool(settings).wait_warm.remote(120))
            company_id = asyncio.run(_seed(settings))
            token = _token_service(settings).mint(DEMO_USER, Role.COMPANY_ADMIN, company_id)
            _print_welcome(settings, company_id, token, DEMO_NUMBER)
            run.wait_for_stop()
    except RunConflict as conflict:
        print(f"clientsvia run: {conflict}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass  # stopped during start-up, before anything needed stopping
    return 0


def _print_welcome(settings: Settings, company_id: str, token: str, number: str) -> None:
    from runtime.devenv import console_demo_password

    print(welcome_text(settings, company_id, token, number, console_demo_password()),
          flush=True)


def welcome_text(settings: Settings, company_id: str, token: str, number: str,
                 console_password: str) -> str:
    """What `clientsvia run` prints once everything is up: the console first."""
    base = f"http://{settings.http_host}:{settings.http_port}"
    twilio_token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token \
        else "<TWILIO_AUTH_TOKEN>"
    return f"""
ClientsVia is running.  Ctrl-C stops everything it started.

  Console         {base}/console
                  sign in as {DEMO_USER} / {console_password}
                  (Atlas Air's company admin; the password is kept in var/dev.env)
  API docs        {base}/docs
  Health          {base}/health
  Demo company    Atlas Air  (_id {company_id}, number {number})

  Token for Atlas Air (company admin):
    export TOKEN={token}

  Try:
    curl -s {base}/api/company/{company_id} -H "Authorization: Bearer $TOKEN"
    curl -s {base}/api/company/{company_id}/knowledge -H "Authorization: Bearer $TOKEN"
    curl -s -X PATCH {base}/api/company/{company_id} -H "Authorization: Bearer $TOKEN" \\
         -H 'Content-Type: application/json' -d '{{"description": "Open 24/7 for emergencies"}}'

  Place a simulated phone call (signed like Twilio):
    .venv/bin/clientsvia call --to {number} --company-id {company_id} \\
        --say "Do you service heat pumps?" --say "Can I talk to a person?"
    (uses TWILIO_AUTH_TOKEN={twilio_token[:4]}... from var/dev.env)
"""


def cmd_create_admin(args: argparse.Namespace) -> int:
    from tenancy.users import Role

    password = args.password or os.environ.get("CLIENTSVIA_ADMIN_PASSWORD") or getpass.getpass()
    role = Role(args.role)

    async def create() -> str:
        redis, registry, users = _registry_and_users(dev_settings())
        try:
            if args.company_id:
                await registry.get(args.company_id)
            user = await users.create(args.email, password, role, args.company_id)
            return f"created {user.role.value} {user.email}"
        finally:
            await redis.aclose()

    print(asyncio.run(create()))
    return 0


def cmd_mint_token(args: argparse.Namespace) -> int:
    from tenancy.users import Role

    role = Role(args.role)
    if role is not Role.PLATFORM_ADMIN and not args.company_id:
        print("company roles need --company-id", file=sys.stderr)
        return 2
    print(_token_service(dev_settings()).mint(args.sub, role, args.company_id))
    return 0


def cmd_seed_demo(_: argparse.Namespace) -> int:
    print(asyncio.run(_seed(dev_settings())))
    return 0


def _sign_as_dev_twilio(args: argparse.Namespace) -> None:
    """Without --auth-token, sign as the local run's platform Twilio account."""
    if args.auth_token is None:
        settings = dev_settings()
        args.auth_token = settings.twilio_auth_token.get_secret_value() \
            if settings.twilio_auth_token else None
        args.public_base_url = args.public_base_url or settings.public_base_url


def cmd_call(args: argparse.Namespace) -> int:
    from loadtest import call_cli

    _sign_as_dev_twilio(args)
    return asyncio.run(call_cli.run(args))


def cmd_text(args: argparse.Namespace) -> int:
    from loadtest import text_cli

    _sign_as_dev_twilio(args)
    return asyncio.run(text_cli.run(args))


def cmd_import(args: argparse.Namespace) -> int:
    from runtime import import_cli

    return import_cli.run(args.export_dir, dev_settings())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clientsvia", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run everything locally (what `make run` does)")
    run.add_argument("--port", type=int, default=int(os.environ.get("HTTP_PORT", "8000")))
    run.set_defaults(handler=cmd_run)

    admin = commands.add_parser("create-admin", help="create a user (first platform admin)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", help="prompted for when omitted")
    admin.add_argument("--role", default="platform_admin",
                       choices=["platform_admin", "company_admin", "company_viewer"])
    admin.add_argument("--company-id")
    admin.set_defaults(handler=cmd_create_admin)

    mint = commands.add_parser("mint-token", help="print a signed JWT")
    mint.add_argument("--role", default="platform_admin",
                      choices=["platform_admin", "company_admin", "company_viewer"])
    mint.add_argument("--company-id")
    mint.add_argument("--sub", default="cli@clientsvia")
    mint.set_defaults(handler=cmd_mint_token)

    seed = commands.add_parser("seed-demo", help="create the Atlas Air demo company")
    seed.set_defaults(handler=cmd_seed_demo)

    imports = commands.add_parser("import", help="load the original platform's MongoDB export")
    imports.add_argument("export_dir", help="folder with companies.json, companyqnas.json, ...")
    imports.set_defaults(handler=cmd_import)

    call = commands.add_parser("call", help="place a simulated Twilio call")
    from loadtest import call_cli

    call_cli.add_arguments(call)
    call.set_defaults(handler=cmd_call)

    text = commands.add_parser("text", help="send texts to a company as Twilio would")
    from loadtest import text_cli

    text_cli.add_arguments(text)
    text.set_defaults(handler=cmd_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ValidationError as exc:
        if exc.title != Settings.__name__:
            raise
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                             for e in exc.errors(include_url=False))
        print(f"clientsvia: invalid configuration: {problems}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
