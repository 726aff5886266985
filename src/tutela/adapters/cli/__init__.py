"""`tutela` on the command line: Typer commands that parse, call one service, render."""
