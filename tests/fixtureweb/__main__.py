"""``python -m tests.fixtureweb [--port N] [--page-size BYTES] [--compress]``"""

from __future__ import annotations

import argparse

from tests.fixtureweb.web import serve


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fixtureweb", description="Run the fixture web (a forward proxy)."
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument(
        "--page-size",
        type=int,
        default=None,
        help="bytes per article page (default: 5-30 KB, seeded by the path)",
    )
    parser.add_argument(
        "--compress",
        action="store_true",
        help="gzip/brotli article pages when the client accepts it",
    )
    args = parser.parse_args()
    serve(port=args.port, page_size=args.page_size, compress=args.compress)


if __name__ == "__main__":
    main()
