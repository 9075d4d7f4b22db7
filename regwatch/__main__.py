"""``python -m regwatch`` is the ``regwatch`` command."""

from regwatch.app.cli import main

main()
