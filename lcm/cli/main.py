"""The `lcm` Typer app: registers one module per command group.

Command modules import only Typer and `lcm.errors` at module level; everything
heavy (pygit2, cryptography, keyring, jsonschema, textual) is imported inside the
command that needs it, so `lcm --help` and `lcm scan FILE` start fast.

Every failure leaves as `lcm: error: …` on stderr: an `LcmError` raised by a command
(its own exit code), and Click's usage errors (no such option, missing argument, bad
choice; exit 2) with at most one hint line under it.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional, Sequence

import click
import typer
from typer.core import TyperGroup

from lcm.errors import LcmError


class _LcmGroup(TyperGroup):
    """Root group: one error format for every command, whoever raised the error; the shell
    completion options."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.params += [_completion_option("install"), _completion_option("show")]

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        try:
            # Non-standalone: Click hands usage errors to us instead of printing them.
            code = super().main(args, "lcm", complete_var, False, windows_expand_args, **extra)
        except click.exceptions.NoArgsIsHelpError as err:
            err.show()  # `lcm` or `lcm tenant` alone: the help, as Click prints it
            sys.exit(err.exit_code)
        except click.ClickException as err:
            _usage_error(err)
        except click.exceptions.Abort:
            from lcm.cli.diagnostics import warn

            warn("error: aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def _main_shell_completion(self, ctx_args: Any, prog_name: str,
                               complete_var: str | None = None) -> None:
        # Typer's completion protocol (what its scripts send), loaded only when completing.
        if os.environ.get(complete_var or f"_{prog_name.upper()}_COMPLETE"):
            from typer._completion_classes import completion_init

            completion_init()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LcmError as err:
            from lcm.cli.diagnostics import fail_from

            fail_from(err)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


def _usage_error(err: click.ClickException) -> NoReturn:
    """`lcm: error: MESSAGE` and one hint line (the usage, or how to pass a dash value)."""
    from lcm.cli.diagnostics import info, warn

    # Click and Typer may each append "Did you mean …?": keep the first, as the hint.
    message, _, suggestion = " ".join(err.format_message().split()).partition(". Did you mean ")
    message, suggestion = message.rstrip("."), suggestion.partition("?")[0]
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    warn(f"error: {message}")
    ctx = getattr(err, "ctx", None)
    if suggestion:
        info(f"hint: did you mean {suggestion}?")
    elif isinstance(err, click.NoSuchOption) and re.fullmatch(r"-\d.*", err.option_name):
        info(f"hint: a value starting with '-' goes after `--`, e.g. "
             f"{ctx.command_path if ctx else 'lcm'} … -- {err.option_name}")
    elif ctx is not None:
        usage = " ".join(ctx.get_usage().split()).removeprefix("Usage: ")
        info(f"usage: {usage}  (more: {ctx.command_path} --help)")
    sys.exit(err.exit_code if isinstance(err, click.UsageError) else 2)


app = typer.Typer(
    cls=_LcmGroup,
    no_args_is_help=True,
    # Our own --install-completion/--show-completion below take the shell as an optional
    # value, and skip Typer's per-start inspection of its placeholder options.
    add_completion=False,
    # Plain click help: rich's help renderer costs ~250 ms on every `--help`.
    rich_markup_mode=None,
    # Rich tracebacks print local variables, which may hold plaintext secrets.
    pretty_exceptions_enable=False,
    help="LLM Config Manager: encrypted, validated, versioned LLM configuration in Git.",
    epilog="A config file is addressed as TENANT/ENV/NAME (e.g. acme/production/inference)"
           " or by its path. `lcm help COMMAND` shows a command's options. Exit codes: 0 ok,"
           " 1 a check failed, 2 usage, 3 repository or config error, 4 key error,"
           " 5 integrity error, 6 backend unreachable.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each module defines `register(app)`; the order is the order in `lcm --help`.
_COMMAND_MODULES = (
    "init", "tenant", "config", "key", "rotate", "validate", "scan", "history", "promote",
    "export", "audit", "tui",
)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import lcm
    from lcm.cli.output import emit

    emit(f"lcm {lcm.__version__}")
    raise typer.Exit()


SHELLS = ("bash", "zsh", "fish")


def _completion_option(action: str) -> click.Option:
    """`--install-completion [SHELL]` / `--show-completion [SHELL]` (default: the shell lcm
    runs in), handled by Typer's installer and scripts. A Click option: Typer's parameters
    cannot take an optional value."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is None or ctx.resilient_parsing:
            return
        if value and value not in SHELLS:
            raise click.BadParameter(f"{value!r}: use one of {', '.join(SHELLS)}", ctx, param)
        from typer.completion import install_callback, show_callback

        (install_callback if action == "install" else show_callback)(ctx, param, value or True)

    verb = "Install completion for" if action == "install" else "Print the completion script of"
    return click.Option(
        [f"--{action}-completion"], metavar="[SHELL]", is_flag=False, flag_value="",
        is_eager=True, expose_value=False, callback=callback,
        shell_complete=lambda _ctx, _param, incomplete: [
            sh for sh in SHELLS if sh.startswith(incomplete)],
        help=f"{verb} SHELL: {', '.join(SHELLS)} (default: the current shell).",
    )


@app.callback()
def _root(
    ctx: typer.Context,
    repo: Annotated[
        Optional[Path],
        typer.Option("-C", "--repo", help="Run as if started in this folder (like `git -C`)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True,
                     help="Print lcm's version and exit."),
    ] = False,
) -> None:
    if ctx.resilient_parsing:
        return
    if repo is not None:
        try:
            os.chdir(repo)
        except OSError as err:
            from lcm.cli.diagnostics import fail
            from lcm.errors import ExitCode

            fail(f"-C {repo}: {err.strerror}", ExitCode.REPO)


for _name in _COMMAND_MODULES:
    importlib.import_module(f"lcm.cli.{_name}").register(app)


def _complete_command(ctx: typer.Context, incomplete: str) -> list[str]:
    group = ctx.find_root().command
    names = group.list_commands(ctx) if isinstance(group, click.Group) else []
    return [n for n in names if n.startswith(incomplete)]


@app.command("help")
def help_(
    ctx: typer.Context,
    command: Annotated[
        Optional[list[str]],
        typer.Argument(help="A command, and a subcommand of a group (`lcm help tenant add`).",
                       autocompletion=_complete_command, show_default=False),
    ] = None,
) -> None:
    """Show the help of lcm or of one command. The same as `lcm COMMAND --help`."""
    from lcm.cli.output import emit
    from lcm.errors import UsageError

    target = ctx.find_root()
    for name in command or []:
        group = target.command
        found = group.get_command(target, name) if isinstance(group, click.Group) else None
        if found is None or found.hidden:
            raise UsageError(f"no such command: {target.command_path} {name} "
                             f"(see `{target.command_path} --help`)")
        target = click.Context(found, info_name=name, parent=target)
    emit(target.get_help())


def run() -> None:
    """Entry point for `python -m lcm`; the console script is `lcm.cli.entry:run`."""
    from lcm.cli.entry import run as entry_run

    entry_run()
