"""Compatibility entry point for clones whose `.git/config` names `lcm.history.gitcmd`
(written by lcm 0.1); `lcm init --git-only` rewrites it to `lcm.cli.gitcmd`."""

import runpy

if __name__ == "__main__":
    runpy.run_module("lcm.cli.gitcmd", run_name="__main__", alter_sys=True)
