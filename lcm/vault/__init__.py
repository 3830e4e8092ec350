"""Talking to HashiCorp Vault and OpenBao: settings, auth, a small client, transit and KV v2.

This package sits below `lcm.keys` and imports nothing from lcm but `lcm.errors`;
`hvac` (and with it `requests`) is imported only when a request is about to be
made, so commands that never touch a vault tenant do not pay for it.
"""
