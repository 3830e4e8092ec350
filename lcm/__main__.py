"""`python -m lcm` runs the CLI."""

from lcm.cli.main import run

run()
