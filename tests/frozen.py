"""Issue 11: the verdicts of the checker frozen before it was split into a kernel and kind
modules. ``record(verdict)`` is what must not change: acceptance, code, JSON path and the
verified facts. The fixture ``golden/frozen_verdicts.json.gz`` maps the sha256 of every
golden's and every corpus mutant's exact text to its record; the mutation-corpus test compares
each verdict it computes against it.

Regenerate (only when a verdict is meant to change, and say why in the commit):
``python tests/frozen.py`` from the repository root.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "golden" / "frozen_verdicts.json.gz"


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def record(verdict) -> list:
    facts = json.dumps(verdict.facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return [verdict.accepted, verdict.code, verdict.path,
            hashlib.sha256(facts.encode("utf-8")).hexdigest()[:16]]


def load() -> dict:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _one(text: str):
    from certify.check import check_certificate
    return key(text), record(check_certificate(text, backend="fraction"))


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus import KINDS, golden_certificates, mutants
    from parallel import pmap
    texts = []
    for kind, docs in sorted(golden_certificates().items(), key=lambda kv: str(kv[0])):
        for name, doc in sorted(docs.items()):
            texts.append(doc if isinstance(doc, str) else json.dumps(doc))
            texts.extend(m.text for m in mutants(name, doc, KINDS.get(kind)))
    frozen = dict(pmap(_one, texts))
    with gzip.open(FIXTURE, "wt", encoding="utf-8") as fh:
        json.dump(frozen, fh, sort_keys=True, separators=(",", ":"))
    print(f"froze {len(frozen)} verdicts of {len(texts)} texts into {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
