"""LLM providers and the services around them (tracing, vector stores, speech, inference, search).

Token rules use the prefix the provider documents; where none is documented the
rule is keyword-anchored (`keyed`): a key naming the provider, then a value of the
documented length and alphabet. Sources are listed per rule in `docs/scan.md`.
"""

from __future__ import annotations

from lcm.scan.model import Rule
from lcm.scan.rules_parts import ASSIGN, END, START, keyed

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

LLM_PROVIDERS: tuple[Rule, ...] = (
    Rule("openai-project-key", "OpenAI project API key",
         START + r"(sk-proj-[A-Za-z0-9_\-]{40,200})" + END, ("sk-proj-",), min_entropy=3.5),
    Rule("openai-service-account-key", "OpenAI service-account API key",
         START + r"(sk-(?:svcacct|None)-[A-Za-z0-9_\-]{40,200})" + END,
         ("sk-svcacct-", "sk-none-"), min_entropy=3.5),
    Rule("openai-admin-key", "OpenAI admin API key",
         START + r"(sk-admin-[A-Za-z0-9_\-]{40,200})" + END, ("sk-admin-",), min_entropy=3.5),
    Rule("openai-legacy-key", "OpenAI user API key (legacy format)",
         START + r"(sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|sk-[A-Za-z0-9]{48})" + END,
         ("sk-",), min_entropy=3.5),
    Rule("anthropic-api-key", "Anthropic API key",
         START + r"(sk-ant-api03-[A-Za-z0-9_\-]{80,120})" + END, ("sk-ant-api03-",),
         min_entropy=3.5),
    Rule("anthropic-admin-key", "Anthropic admin API key",
         START + r"(sk-ant-admin01-[A-Za-z0-9_\-]{80,120})" + END, ("sk-ant-admin01-",),
         min_entropy=3.5),
    Rule("google-api-key", "Google API key (Gemini / Google AI Studio / GCP)",
         START + r"(AIza[0-9A-Za-z_\-]{35})" + END, ("aiza",), min_entropy=3.5,
         # A Firebase web app's config ships its API key to every browser by design.
         unless_near=r"(?i)firebaseapp\.com|authDomain|messagingSenderId"),
    Rule("aws-bedrock-api-key", "Amazon Bedrock API key (long-term or short-term)",
         START + r"(ABSK[A-Za-z0-9+/]{100,400}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{60,2000}={0,2})"
         + r"(?![A-Za-z0-9+/=])",
         ("absk", "bedrock-api-key-"), min_entropy=3.5),
    Rule("huggingface-token", "Hugging Face user access token",
         START + r"(hf_[A-Za-z0-9]{34,40})" + END, ("hf_",), min_entropy=3.5),
    Rule("huggingface-org-token", "Hugging Face organization API token",
         START + r"(api_org_[A-Za-z0-9]{34,40})" + END, ("api_org_",), min_entropy=3.5),
    Rule("groq-api-key", "Groq API key",
         START + r"(gsk_[A-Za-z0-9]{48,56})" + END, ("gsk_",), min_entropy=3.5),
    Rule("perplexity-api-key", "Perplexity API key",
         START + r"(pplx-[A-Za-z0-9]{40,64})" + END, ("pplx-",), min_entropy=3.5),
    Rule("xai-api-key", "xAI (Grok) API key",
         START + r"(xai-[A-Za-z0-9]{70,90})" + END, ("xai-",), min_entropy=3.5),
    Rule("openrouter-api-key", "OpenRouter API key",
         START + r"(sk-or-v1-[a-f0-9]{64})" + END, ("sk-or-v1-",), min_entropy=3.0),
    Rule("replicate-api-token", "Replicate API token",
         START + r"(r8_[A-Za-z0-9]{37,40})" + END, ("r8_",), min_entropy=3.5),
    Rule("deepseek-api-key", "DeepSeek API key (sk- and 32 hex, near a DeepSeek mention)",
         START + r"(sk-[a-f0-9]{32})" + END, ("sk-",), min_entropy=3.0,
         near=r"(?i)deepseek"),
    Rule("nvidia-api-key", "NVIDIA API key for NIM / build.nvidia.com / NGC (nvapi-)",
         START + r"(nvapi-[A-Za-z0-9_\-]{40,100})" + END, ("nvapi-",), min_entropy=3.5),
    Rule("azure-openai-api-key",
         "Azure OpenAI key (next to an *.openai.azure.com host or AZURE_OPENAI_API_KEY)",
         r"(?i:azure[\w.\-]{0,30}key|api[_.\-]?key|subscription[_.\-]?key|ocp-apim-subscription-key)"
         + ASSIGN + r"([a-fA-F0-9]{32}|[A-Za-z0-9]{84})" + END,
         ("azure", "api_key", "api-key", "api.key", "apikey", "subscription", "ocp-apim"),
         kind="context", min_entropy=3.0, check="keyed",
         near=r"(?i)openai\.azure\.com|azure[_\-]?openai", near_lines=15),
    Rule("mistral-api-key", "Mistral AI API key (keyword-anchored)",
         r"(?i:mistral)[\w.\-]{0,30}(?i:key|token)[\w.\-]{0,10}" + ASSIGN
         + r"([A-Za-z0-9]{32})" + END,
         ("mistral",), kind="context", min_entropy=3.5, check="keyed"),
    Rule("cohere-api-key", "Cohere API key (keyword-anchored)",
         r"(?i:cohere[\w.\-]{0,30}(?:key|token)|co[_\-]api[_\-]key)[\w.\-]{0,10}" + ASSIGN
         + r"([A-Za-z0-9]{40})" + END,
         ("cohere", "co_api_key", "co-api-key"), kind="context", min_entropy=3.5, check="keyed"),
    keyed("together-api-key", "Together AI API key (keyword-anchored)",
          "together", r"[a-z0-9_\-]{32,100}", ("together",), min_entropy=3.5),
    keyed("fireworks-api-key", "Fireworks AI API key (keyword-anchored)",
          r"fireworks", r"[a-z0-9_]{24,80}", ("reworks",), min_entropy=3.5, back=2),
    keyed("cerebras-api-key", "Cerebras Inference API key (keyword-anchored)",
          "cerebras", r"(?:csk-)?[a-z0-9]{32,80}", ("cerebras",), min_entropy=3.5),
    keyed("voyage-api-key", "Voyage AI API key (keyword-anchored)",
          r"voyage", r"(?:pa-)?[a-z0-9_\-]{32,80}", ("oyage",), min_entropy=3.5, back=1),
    keyed("ngc-api-key", "NVIDIA NGC API key, legacy format (keyword-anchored)",
          r"ngc", r"[a-z0-9+/=]{40,100}", ("ngc",), min_entropy=3.5),
)

TRACING_AND_EVALS: tuple[Rule, ...] = (
    Rule("langsmith-api-key", "LangSmith personal access token or service key",
         START + r"(lsv2_(?:pt|sk)_[A-Za-z0-9_]{30,80})" + END, ("lsv2_pt_", "lsv2_sk_"),
         min_entropy=3.0),
    Rule("langfuse-secret-key", "Langfuse secret key (the pk-lf- public key is not a secret)",
         START + r"(sk-lf-[A-Za-z0-9\-]{20,80})" + END, ("sk-lf-",), min_entropy=3.0),
    keyed("wandb-api-key", "Weights & Biases API key (keyword-anchored, 40 hex or longer)",
          r"wandb|weights[_\-]?(?:and[_\-]?)?biases", r"[a-f0-9]{40}|[a-z0-9_\-]{60,120}",
          ("andb", "eights"), min_entropy=3.0, back=1),
)

VECTOR_STORES: tuple[Rule, ...] = (
    Rule("pinecone-api-key", "Pinecone API key (pcsk_)",
         START + r"(pcsk_[A-Za-z0-9_]{40,120})" + END, ("pcsk_",), min_entropy=3.5),
    keyed("pinecone-legacy-api-key", "Pinecone API key, legacy UUID format (keyword-anchored)",
          "pinecone", UUID, ("pinecone",), min_entropy=3.0),
    keyed("qdrant-api-key", "Qdrant Cloud / self-hosted API key (keyword-anchored)",
          "qdrant", r"[a-z0-9_\-|]{24,120}", ("qdrant",), min_entropy=3.5),
    keyed("weaviate-api-key", "Weaviate Cloud API key (keyword-anchored)",
          "weaviate", r"[a-z0-9_\-]{24,80}", ("eaviate",), min_entropy=3.5, back=1),
)

SPEECH: tuple[Rule, ...] = (
    keyed("assemblyai-api-key", "AssemblyAI API key (keyword-anchored, 32 hex)",
          r"assembly[_\-]?ai|aai", r"[a-f0-9]{32}",
          ("assemblyai", "assembly_ai", "assembly-ai", "aai"), min_entropy=3.0),
    keyed("deepgram-api-key", "Deepgram API key (keyword-anchored, 40 hex)",
          "deepgram", r"[a-f0-9]{40}", ("eepgram",), min_entropy=3.0, back=1),
    Rule("elevenlabs-api-key", "ElevenLabs API key (keyword-anchored: sk_ and 48 hex, or 32 hex)",
         r"(?i:eleven[_\-]?labs[\w.\-]{0,30}(?:key|token)|xi[_\-]api[_\-]key)[\w.\-]{0,10}"
         + ASSIGN + r"(sk_[a-f0-9]{48}|[a-f0-9]{32})" + END,
         ("elevenlabs", "eleven_labs", "eleven-labs", "xi-api-key", "xi_api_key"),
         kind="context", min_entropy=3.0, check="keyed"),
)

SEARCH_TOOLS: tuple[Rule, ...] = (
    Rule("tavily-api-key", "Tavily API key (tvly-)",
         START + r"(tvly-[A-Za-z0-9\-]{24,80})" + END, ("tvly-",), min_entropy=3.5),
    Rule("firecrawl-api-key", "Firecrawl API key (fc- and 32 hex)",
         START + r"(fc-[a-f0-9]{32})" + END, ("c-",), min_entropy=3.0, back=1),
    Rule("serpapi-api-key", "SerpApi private API key (keyword-anchored or in a serpapi.com URL)",
         r"(?i:serp[_\-]?api[\w.\-]{0,30}(?:key|token)[\w.\-]{0,10}" + ASSIGN
         + r"|serpapi\.com/[^\s\"'<>]{0,200}?[?&]api_key=)([a-f0-9]{64})" + END,
         ("serpapi", "serp_api", "serp-api"), kind="context", min_entropy=3.0, check="keyed"),
)

RULES: tuple[Rule, ...] = (
    LLM_PROVIDERS + TRACING_AND_EVALS + VECTOR_STORES + SPEECH + SEARCH_TOOLS
)
