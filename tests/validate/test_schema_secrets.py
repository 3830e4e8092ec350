"""`schema_secret_paths`: the values a mapped schema marks secret, for writers to encrypt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lcm.repository.address import Address
from lcm.repository.repo import Repo
from lcm.validate.secrets import schema_secret_paths


def test_marked_fields_of_a_mapped_file(repo: Path) -> None:
    plain = {
        "llm": {
            "provider": "openai",
            "model": "gpt-4o",
            "api_key": "sk-1",
            "auth": {"type": "azure_ad", "client_secret": "s", "client_id": "c"},
            "fallbacks": [{"provider": "mistral", "model": "m", "api_key": "sk-2"}],
            "timeout_s": 30,
        }
    }
    paths = schema_secret_paths(Repo.open(repo), Address("acme", "base", "inference"), plain)
    assert paths == [
        ("llm", "api_key"),
        ("llm", "auth", "client_secret"),
        ("llm", "fallbacks", 0, "api_key"),
    ]


def test_budget_webhook_secret(repo: Path) -> None:
    plain = {
        "currency": "USD",
        "period": "daily",
        "limit": 5,
        "alerts": [{"threshold_percent": 50, "notify": ["slack:#x"], "webhook_secret": "w"}],
    }
    paths = schema_secret_paths(Repo.open(repo), Address("acme", "production", "budget"), plain)
    assert paths == [("alerts", 0, "webhook_secret")]


def test_unmapped_file_needs_no_jsonschema(repo: Path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom lcm.repository.repo import Repo\n"
        "from lcm.repository.address import Address\nfrom lcm.validate.secrets import schema_secret_paths\n"
        "r = Repo.open(Path.cwd())\n"
        "print(schema_secret_paths(r, Address('acme', 'base', 'misc'), {'api_key': 'x'}),"
        " 'jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert out.stdout.strip() == "[] False", out.stderr
