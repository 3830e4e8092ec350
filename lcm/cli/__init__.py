"""The command-line face of lcm: thin Typer commands over the core."""
