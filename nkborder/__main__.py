"""``python -m nkborder`` runs the command line."""

from nkborder.cli import main

main()
