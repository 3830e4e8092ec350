"""Code hosts, chat, payments and clouds: GitHub, GitLab, Slack, Stripe, AWS, Azure.

Sources are listed per rule in `docs/scan.md`.
"""

from __future__ import annotations

from lcm.scan.model import Rule
from lcm.scan.rules_parts import ASSIGN, END, START, keyed

# Characters of an Azure AD (Entra ID) client secret: letters, digits and `_ ~ . -`.
_AZ = r"[A-Za-z0-9_~.\-]"
_GITLAB_PREFIXES = ("pat", "dt", "rtr", "rt", "ptt", "cbt", "oas", "soat", "ffct", "imt",
                    "agent", "ft")

CODE_HOSTS: tuple[Rule, ...] = (
    Rule("github-token", "GitHub personal/OAuth/app token (classic)",
         START + r"(gh[pousr]_[A-Za-z0-9]{36,255})" + END,
         ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), min_entropy=3.5),
    Rule("github-fine-grained-token", "GitHub fine-grained personal access token",
         START + r"(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + END, ("github_pat_",),
         min_entropy=3.5),
    keyed("github-legacy-token", "GitHub token in the pre-2021 format (40 hex) at a GitHub key",
          r"github|gh", r"[a-f0-9]{40}", ("github", "gh_"),
          key_words="token|pat|key|secret|password"),
    Rule("gitlab-token",
         "GitLab personal/project/deploy/runner/trigger/feed/OAuth/SCIM/agent/incoming-mail token",
         START + r"(gl(?:" + "|".join(_GITLAB_PREFIXES) + r")-[A-Za-z0-9_\-]{20,80})" + END,
         tuple(f"gl{p}-" for p in _GITLAB_PREFIXES), min_entropy=3.0),
    Rule("gitlab-runner-registration-token", "GitLab runner registration token (GR1348941)",
         START + r"(GR1348941[A-Za-z0-9_\-]{20,40})" + END, ("gr1348941",), min_entropy=3.0),
    Rule("gitlab-session-cookie", "GitLab session cookie (_gitlab_session=)",
         r"_gitlab_session=([a-f0-9]{32})" + END, ("gitlab_session=",), min_entropy=3.0, back=1),
)

CHAT: tuple[Rule, ...] = (
    Rule("slack-token", "Slack bot/user/workspace/refresh token (xoxb-, xoxp-, xoxa-, …)",
         START + r"(xox[abposr]-[0-9A-Za-z]{8,}-[0-9A-Za-z\-]{8,})" + END,
         ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"), min_entropy=3.0),
    Rule("slack-config-token", "Slack app configuration access token (xoxe.xoxp-, xoxe.xoxb-)",
         START + r"(xoxe\.xox[bp]-\d-[A-Za-z0-9\-]{40,300})" + END,
         ("xoxe.xoxp-", "xoxe.xoxb-"), min_entropy=3.5),
    Rule("slack-refresh-token", "Slack configuration refresh token (xoxe-)",
         START + r"(xoxe-\d-[A-Za-z0-9\-]{40,300})" + END, ("xoxe-",), min_entropy=3.5),
    Rule("slack-app-token", "Slack app-level token (xapp-)",
         START + r"(xapp-\d-[A-Z0-9]{8,}-\d{8,}-[A-Za-z0-9]{32,})" + END, ("xapp-",),
         min_entropy=3.0),
    Rule("slack-webhook-url", "Slack incoming or workflow webhook URL (https or http)",
         r"(https?://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Z0-9]{6,}/"
         r"(?:\d+/)?[A-Za-z0-9]{16,})",
         ("https://hooks.slack.com/", "http://hooks.slack.com/"), min_entropy=3.0),
)

PAYMENTS: tuple[Rule, ...] = (
    Rule("stripe-secret-key", "Stripe secret or restricted key",
         START + r"((?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{20,250})" + END,
         ("sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"), min_entropy=3.5),
)

CLOUDS: tuple[Rule, ...] = (
    Rule("aws-access-key-id", "AWS access key id",
         START + r"((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})" + r"(?![A-Za-z0-9])",
         ("akia", "asia", "abia", "acca", "a3t"), min_entropy=3.0),
    Rule("aws-secret-access-key", "AWS secret access key (next to an aws...secret key name)",
         r"(?i:aws)[\w.\-]{0,40}(?i:secret)[\w.\-]{0,40}" + ASSIGN
         + r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
         ("aws",), kind="context", min_entropy=3.5, check="keyed"),
    Rule("aws-appsync-api-key", "AWS AppSync GraphQL API key (da2-)",
         START + r"(da2-[a-z0-9]{26})" + END, ("a2-",), min_entropy=3.0, back=1),
    # The secret starts three characters and a digit before the `Q~` the prefilter finds.
    Rule("azure-ad-client-secret", "Microsoft Entra ID (Azure AD) app client secret (…Q~…)",
         r"(?<![A-Za-z0-9_~.\-])(" + _AZ + r"{3}\dQ~" + _AZ + r"{31,34})(?![A-Za-z0-9_~.\-])",
         ("q~",), min_entropy=3.0, back=4),
    Rule("azure-storage-account-key", "Azure Storage account key in a connection string",
         r"(?i:accountkey)[ \t]*=[ \t]*([a-z0-9+/]{86}==)(?![a-z0-9+/=])",
         ("accountkey",), kind="context", min_entropy=4.0,
         # The storage emulator's account key is published in its documentation.
         unless_near=r"(?i)devstoreaccount1", near_lines=1),
    Rule("azure-sas-token", "Azure shared access signature (sig= next to sv= on the same line)",
         r"(?<![A-Za-z0-9_])sig=([A-Za-z0-9%+/=]{43,120})(?![A-Za-z0-9%+/=])", ("sig=",),
         min_entropy=3.5, near=r"(?:^|[?&;=\s\"'])sv=\d{4}-\d{2}-\d{2}", near_lines=0),
)

RULES: tuple[Rule, ...] = CODE_HOSTS + CHAT + PAYMENTS + CLOUDS
