"""`lcm export` and `lcm exec`: publish the effective config, or run a command with it."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import click
import typer

from lcm.cli.params import complete_env, output_option
from typer.core import TyperCommand


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("exec", cls=_DashDashCommand)(exec_)


class _DashDashCommand(TyperCommand):
    """Splits the arguments at the first `--`: what follows is the command, never lcm's."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            cut = args.index("--")
            ctx.meta["lcm_command"] = args[cut + 1:]
            args = args[:cut]
        else:
            ctx.meta["lcm_command"] = None
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "-- CMD [ARG]..."]


def export(
    env: Annotated[str, typer.Argument(metavar="TENANT/ENV", help="The environment, e.g. acme/production.", autocompletion=complete_env)],
    names: Annotated[Optional[list[str]], typer.Argument(metavar="[NAME]...", help="Only these config files (default: every file of the env).")] = None,
    to: Annotated[str, typer.Option("--to", metavar="TARGET", help="vault://MOUNT/PATH | dotenv:FILE | json:FILE | k8s-secret:FILE (FILE - is stdout).")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the masked key-level changes; write nothing.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="vault: soft-delete exported secrets whose config file is gone.")] = False,
    force: Annotated[bool, typer.Option("--force", help="vault: after a check-and-set conflict re-read and retry; overwrite secrets lcm did not write.")] = False,
    prefix: Annotated[str, typer.Option("--prefix", metavar="PREFIX", help="dotenv, k8s-secret: prepended to every variable name.")] = "",
    name: Annotated[Optional[str], typer.Option("--name", metavar="NAME", help="k8s-secret: the Secret's name (default lcm-TENANT-ENV).")] = None,
    namespace: Annotated[Optional[str], typer.Option("--namespace", metavar="NAMESPACE", help="k8s-secret: the Secret's namespace.")] = None,
    output: Annotated[str, output_option("text", "json")] = "text",
) -> None:
    """Publish the effective config to Vault KV or a file. TARGET is vault://MOUNT/PATH
    (KV v2), dotenv:FILE, json:FILE or k8s-secret:FILE (docs/export.md)."""
    from lcm.api import ExportOptions, Repo, export_config
    from lcm.cli.diagnostics import info
    from lcm.cli.output import emit, to_json
    from lcm.errors import UsageError

    if not to:
        raise UsageError("--to TARGET is required (vault://MOUNT/PATH, dotenv:FILE, json:FILE,"
                         " k8s-secret:FILE)")
    options = ExportOptions(tuple(names or ()), dry_run, prune, force, prefix, name, namespace)
    result = export_config(Repo.open(), env, to, options)
    if dry_run:
        emit(to_json(result.plan.to_json()) if output == "json" else result.plan.to_text())
        return
    if result.output is not None:
        emit(result.output)
    elif not to.startswith("vault://"):
        info(f"{to}: written, {len(result.keys)} keys (mode 0600)")
    else:
        for unit in result.plan.units:
            note = f" ({unit.note})" if unit.note else ""
            info(f"{to.rstrip('/')}/{unit.unit}: {_DONE.get(unit.action, unit.action)}{note}")


_DONE = {"create": "written", "update": "written", "prune": "soft-deleted",
         "foreign": "overwritten"}


def exec_(
    ctx: typer.Context,
    env: Annotated[str, typer.Argument(metavar="TENANT/ENV", help="The environment, e.g. acme/production.", autocompletion=complete_env)],
    names: Annotated[Optional[list[str]], typer.Argument(metavar="[NAME]...", help="Only these config files (default: every file of the env).")] = None,
    prefix: Annotated[str, typer.Option("--prefix", metavar="PREFIX", help="Prepended to every variable name.")] = "",
    override: Annotated[bool, typer.Option("--override/--no-override", help="Config values replace variables already set; --no-override keeps them.")] = True,
    watch: Annotated[bool, typer.Option("--watch", help="Keep running: restart CMD when its effective config changes (docs/reload.md).")] = False,
    reload_signal: Annotated[Optional[str], typer.Option("--signal", metavar="SIG", help="With --watch: send SIG (e.g. HUP) on a change instead of restarting.")] = None,
) -> None:
    """Run a command with the effective config in its environment. Everything after --
    is the command; lcm exits with its status (--watch: restarted on config changes)."""
    from lcm.api import ExecWatch, LaunchError, Repo, prepare_exec, run_command
    from lcm.cli.diagnostics import fail, warn
    from lcm.errors import UsageError

    command: Any = ctx.meta.get("lcm_command")
    if command is None:
        raise UsageError("lcm exec needs -- before the command: lcm exec TENANT/ENV -- CMD…")
    if not command:
        raise UsageError("no command after --")
    if reload_signal is not None and not watch:
        raise UsageError("--signal needs --watch (it is sent when the config changes)")
    signum = _signal_number(reload_signal) if reload_signal is not None else None
    files = tuple(names or ())
    try:
        if watch:
            watcher = ExecWatch(Repo.open(), env, files, command, prefix=prefix,
                                override=override, reload_signal=signum, warn=warn)
            _warn_shadowed(watcher.first.shadowed, override)
            status = watcher.run()
        else:
            prepared = prepare_exec(Repo.open(), env, files, prefix=prefix, override=override,
                                    command=command[0])
            _warn_shadowed(prepared.shadowed, override)
            status = run_command(command, prepared.env)
    except LaunchError as err:
        fail(err.message, err.status)
    raise typer.Exit(status)


def _warn_shadowed(shadowed: list[str], override: bool) -> None:
    from lcm.cli.diagnostics import warn

    if shadowed:
        kept = "config replaces" if override else "the environment keeps"
        warn(f"{kept} {', '.join(shadowed)} (already set)")


def _signal_number(text: str) -> int:
    """`HUP`, `SIGHUP`, `hup` or `1` as a signal number; a usage error otherwise."""
    import signal

    from lcm.errors import UsageError

    name = text.strip().upper()
    try:
        found = signal.Signals(int(name)) if name.isdigit() else \
            signal.Signals[name if name.startswith("SIG") else f"SIG{name}"]
    except (KeyError, ValueError):
        raise UsageError(f"--signal {text!r}: not a signal name (e.g. HUP, USR1, TERM)") from None
    if found in (signal.SIGKILL, signal.SIGSTOP):
        raise UsageError(f"--signal {text!r}: {found.name} cannot be caught, so it cannot ask"
                         " the command to reload")
    return int(found)
