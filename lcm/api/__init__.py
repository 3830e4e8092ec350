"""The library API: what the CLI, the TUI and services call."""
