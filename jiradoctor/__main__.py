"""``python -m jiradoctor`` and the ``jiradoctor`` command.

The CLI is imported inside :func:`run` so that Ctrl-C during start-up exits 130 with one line,
not a traceback from the middle of an import.
"""

import sys


def run() -> None:
    try:
        from jiradoctor.cli import main
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        raise SystemExit(130) from None
    main(prog_name="jiradoctor")  # `python -m jiradoctor` too: its usage lines and shell completion


if __name__ == "__main__":
    run()
