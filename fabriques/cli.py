"""``fabriques`` command line (SPEC §5). It parses arguments, calls the packages, and
prints what they return; it holds no domain logic."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fabriques import __version__

DESCRIPTION = (
    "Notation du jury et sélection des lauréats d'une vague de l'AMI « Fabriques de "
    "Territoire » (ANCT)."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every verb the installed version provides."""
    parser = argparse.ArgumentParser(prog="fabriques", description=DESCRIPTION, add_help=False)
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    parser.add_argument(
        "--version", action="version", version=f"fabriques {__version__}",
        help="affiche la version et quitte",
    )
    parser.add_subparsers(dest="verbe", metavar="VERBE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the process exit code (0 ok, 2 bad input, 3 infeasible)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbe is None:
        parser.print_help()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
