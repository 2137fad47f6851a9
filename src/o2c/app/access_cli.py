"""`o2c user ...`, `o2c apikey ...` and `o2c oauth-client ...`: who may sign in and call the API.

Run by the installation's operator (the CLI acts as a system administrator of the company
chosen by `--company`). Secrets are printed once, at creation, and never again.
"""

from __future__ import annotations

from typing import Annotated

import typer

from o2c.db.deps import context_of
from o2c.parties.service import find_customer
from o2c.security.credentials import (
    CredentialKind,
    create_credential,
    list_credentials,
    revoke_credential,
)
from o2c.security.model import Role
from o2c.security.users import (
    create_user,
    list_users,
    roles_of,
    set_active,
    set_password,
    set_roles,
)

users = typer.Typer(help="Staff and portal user accounts.", no_args_is_help=True)
api_keys = typer.Typer(help="API keys: a company and a set of roles each.", no_args_is_help=True)
oauth_clients = typer.Typer(
    help="OAuth2 clients (client-credentials grant at POST /oauth/token).", no_args_is_help=True
)

RolesOption = Annotated[
    list[Role], typer.Option("--role", "-r", help="Repeat for several roles.", show_default=False)
]
PasswordOption = Annotated[
    str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, show_default=False)
]


def _when(value: object) -> str:
    return "-" if value is None else str(value)[:19]


@users.command("add")
def add_user(
    ctx: typer.Context,
    email: str,
    password: PasswordOption,
    name: str = "",
    role: RolesOption = [],  # noqa: B006 (Typer reads the default, never mutates it)
    customer: Annotated[
        str | None, typer.Option(help="Customer code: makes a portal user of that customer.")
    ] = None,
) -> None:
    """Add a staff user (with --role) or a portal user (with --customer)."""
    context = context_of(ctx.obj)
    actor = context.actor()
    customer_id = find_customer(context.uow(), actor, customer).id if customer else None
    roles = role or ([Role.CUSTOMER] if customer_id is not None else [])
    user = create_user(
        context.uow(),
        actor,
        email=email,
        name=name,
        password=password,
        roles=roles,
        customer_id=customer_id,
    )
    kind = "portal user" if customer_id is not None else "user"
    typer.echo(f"{kind} {user.email} added ({user.roles})")


@users.command("list")
def show_users(ctx: typer.Context) -> None:
    """Every user of the company, tab-separated: email, name, roles, customer, active, created."""
    context = context_of(ctx.obj)
    typer.echo("email\tname\troles\tcustomer_id\tactive\tcreated")
    for user in list_users(context.uow(), context.actor()):
        roles = ",".join(sorted(roles_of(user)))
        active = "yes" if user.active else "no"
        typer.echo(
            f"{user.email}\t{user.name}\t{roles}\t{_when(user.customer_id)}\t{active}\t"
            f"{_when(user.created_at)}"
        )


@users.command("disable")
def disable_user(
    ctx: typer.Context, email: str, enable: Annotated[bool, typer.Option("--enable")] = False
) -> None:
    """Disable a user (signs it out everywhere); --enable undoes it."""
    context = context_of(ctx.obj)
    user = set_active(context.uow(), context.actor(), email, enable)
    typer.echo(f"user {user.email} {'enabled' if user.active else 'disabled'}")


@users.command("passwd")
def change_password(ctx: typer.Context, email: str, password: PasswordOption) -> None:
    """Set a user's password (ends its sessions)."""
    context = context_of(ctx.obj)
    user = set_password(context.uow(), context.actor(), email, password)
    typer.echo(f"password of {user.email} set")


@users.command("roles")
def change_roles(ctx: typer.Context, email: str, role: RolesOption) -> None:
    """Replace a staff user's roles."""
    context = context_of(ctx.obj)
    user = set_roles(context.uow(), context.actor(), email, role)
    typer.echo(f"{user.email}: {user.roles}")


def _create(ctx: typer.Context, kind: CredentialKind, name: str, role: list[Role]) -> None:
    context = context_of(ctx.obj)
    issued = create_credential(context.uow(), context.actor(), kind, name, role or [Role.ADMIN])
    credential = issued.credential
    if kind is CredentialKind.API_KEY:
        typer.echo(f"api key {credential.public_id} ({credential.roles}); shown once:")
        typer.echo(issued.api_key)
    else:
        typer.echo(f"oauth client ({credential.roles}); the secret is shown once:")
        typer.echo(f"client_id={credential.public_id}")
        typer.echo(f"client_secret={issued.secret}")


def _list(ctx: typer.Context, kind: CredentialKind) -> None:
    context = context_of(ctx.obj)
    typer.echo("id\tname\troles\tcreated\tcreated_by\tlast_used\trevoked")
    for row in list_credentials(context.uow(), context.actor(), kind):
        typer.echo(
            f"{row.public_id}\t{row.name}\t{row.roles}\t{_when(row.created_at)}\t"
            f"{row.created_by}\t{_when(row.last_used_at)}\t{_when(row.revoked_at)}"
        )


def _revoke(ctx: typer.Context, kind: CredentialKind, public_id: str) -> None:
    context = context_of(ctx.obj)
    credential = revoke_credential(context.uow(), context.actor(), kind, public_id)
    typer.echo(f"{kind.value} {credential.public_id} revoked")


@api_keys.command("create")
def create_api_key(
    ctx: typer.Context,
    name: str,
    role: RolesOption = [],  # noqa: B006 (Typer reads the default, never mutates it)
) -> None:
    """Create an API key (roles default to admin); prints the key once."""
    _create(ctx, CredentialKind.API_KEY, name, role)


@api_keys.command("list")
def show_api_keys(ctx: typer.Context) -> None:
    """The company's API keys (never their secrets), with last use."""
    _list(ctx, CredentialKind.API_KEY)


@api_keys.command("revoke")
def revoke_api_key(ctx: typer.Context, key_id: str) -> None:
    """Revoke an API key by its id (the part after `o2c_`, before the dot)."""
    _revoke(ctx, CredentialKind.API_KEY, key_id)


@oauth_clients.command("create")
def create_oauth_client(
    ctx: typer.Context,
    name: str,
    role: RolesOption = [],  # noqa: B006 (Typer reads the default, never mutates it)
) -> None:
    """Create an OAuth2 client (roles default to admin); prints its secret once."""
    _create(ctx, CredentialKind.OAUTH_CLIENT, name, role)


@oauth_clients.command("list")
def show_oauth_clients(ctx: typer.Context) -> None:
    """The company's OAuth2 clients, with last use."""
    _list(ctx, CredentialKind.OAUTH_CLIENT)


@oauth_clients.command("revoke")
def revoke_oauth_client(ctx: typer.Context, client_id: str) -> None:
    """Revoke an OAuth2 client; its bearer tokens stop working at once."""
    _revoke(ctx, CredentialKind.OAUTH_CLIENT, client_id)
