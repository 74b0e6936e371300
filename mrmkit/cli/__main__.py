"""``python -m mrmkit.cli``: the same as the ``mrmkit`` console script."""

from mrmkit.cli import main

if __name__ == "__main__":
    main()
