"""`python -m tutela.adapters.cli` runs the `tutela` command."""

from tutela.adapters.cli.app import main

main()
