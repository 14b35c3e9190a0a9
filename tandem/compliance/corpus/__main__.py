"""``python -m tandem.compliance.corpus``: write the corpus as JSON lines on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from tandem.compliance.corpus.generation import DEFAULT_SEED, DEFAULT_SIZE, generate_corpus


def main(argv: Sequence[str] | None = None) -> None:
    """Write the corpus as JSON lines on stdout (the ``tandem scan`` input format, plus labels)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    arguments = parser.parse_args(argv)
    for item in generate_corpus(arguments.size, arguments.seed):
        sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
