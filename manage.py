#!/usr/bin/env python
"""Django's manage.py; ``tandem`` (the installed command) does the same."""

from tandem.cli import main

if __name__ == "__main__":
    main()
