"""Project CLI: Kedro's own ``kedro run``, with input problems told in one short message.

A bad input file, a refused run or a failed contract check is something the user fixes on their
side, so its message comes first and alone (in red), not at the end of Kedro's 200-line
traceback. The full traceback goes to ``errors.log`` in the project folder. Any other error is
Kedro's, shown as Kedro shows it.
"""

import traceback
from pathlib import Path

import click
from kedro.framework.cli.project import run as kedro_run

from customer_segmentation.errors import InputDataError

ERROR_LOG = Path("errors.log")


def input_problem(error: BaseException) -> InputDataError | None:
    """The ``InputDataError`` behind ``error`` (Kedro wraps dataset errors), if there is one."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, InputDataError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


@click.group(name="customer_segmentation")
def cli() -> None:
    """Project commands (they override Kedro's commands of the same name)."""


def _run(*args, **kwargs) -> None:
    try:
        kedro_run.callback(*args, **kwargs)
    except Exception as error:
        problem = input_problem(error)
        if problem is None:
            raise
        ERROR_LOG.write_text(traceback.format_exc(), encoding="utf-8")
        click.secho(f"\n{problem}\n", fg="red", err=True)
        click.echo(f"(Full traceback: {ERROR_LOG.resolve()})", err=True)
        raise SystemExit(1) from None


cli.add_command(
    click.Command(
        name="run",
        params=kedro_run.params,
        callback=_run,
        help=kedro_run.help,
        short_help=kedro_run.short_help,
    )
)
