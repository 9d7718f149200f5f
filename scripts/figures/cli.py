"""The `figures` command: a thin face over the pipeline stages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
import warnings

from .errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, FiguresError, InputWarning
from .memory import return_freed_pages_of_polars

EPILOG = """exit codes:
  0  success (warnings, such as a skipped empty article, go to stderr)
  1  the package does not validate (the report names table, row and field)
  2  bad input or usage: nothing was written
  3  internal error (a bug): nothing was written; rerun with --debug and report it
  130 interrupted: the previous output is left as it was
"""


def _root() -> Path:
    """The repository root: the nearest folder up from here with a seeds/ folder."""
    cwd = Path.cwd()
    for folder in (cwd, *cwd.parents):
        if (folder / "seeds").is_dir() and (folder / "schemas").is_dir():
            return folder
    return cwd


def cmd_build(args: argparse.Namespace) -> int:
    return_freed_pages_of_polars()  # before the pipeline imports polars (memory.py)
    from .pipeline import build

    root = args.root or _root()
    summary = build(root, charts=not args.no_charts, jobs=args.jobs, cache=not args.no_cache,
                    progress=not args.quiet)
    if not args.quiet:
        print(f"built {root / 'datapackage.json'}: {summary}")
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    return_freed_pages_of_polars()  # before the pipeline imports polars (memory.py)
    from .pipeline import extract

    summary = extract(args.inputs, args.output, charts=args.charts, jobs=args.jobs, dask=args.dask,
                      progress=not args.quiet, reviews=args.reviews)
    if not args.quiet:
        print(f"wrote {args.output / 'datapackage.json'}: {summary}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import require_valid

    path = args.package or _root() / "datapackage.json"
    if path.is_dir():
        path = path / "datapackage.json"
    if not path.exists():
        raise FiguresError(f"{path}: no such file; pass the path of a datapackage.json")
    require_valid(path)
    if not args.quiet:
        print(f"{path}: valid")
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from .pipeline import draw

    path = args.package / "datapackage.json" if args.package.is_dir() else args.package
    if not path.exists():
        raise FiguresError(f"{path}: no such file; pass a package folder or its datapackage.json")
    written = draw(path, args.output)
    if not args.quiet:
        print(f"wrote {len(written)} file(s) (charts and index.html) to {args.output}")
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate

    result = evaluate(args.gold)
    print(result.report(show_misses=args.misses))
    return EXIT_OK


def jobs_count(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of processes")
    return jobs


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="figures", description="Numeric claims from news text, traceable to the characters they came from.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"figures {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    common.add_argument("--debug", action="store_true", help="show a traceback on errors")
    running = argparse.ArgumentParser(add_help=False)
    running.add_argument("--jobs", "-j", type=jobs_count, metavar="N",
                         help="worker processes for extraction (default: every core); output is identical")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", parents=[common, running], help="build data/, datapackage.json and charts/ from seeds/",
                       description="Read seeds/ (with seeds/metadata.yaml, and seeds/reviews.yaml when present), "
                                   "write data/*.csv, datapackage.json and charts/, and validate; the previous "
                                   "output is replaced only on success.")
    p.add_argument("--root", type=Path, help="repository root (default: found from the current folder)")
    p.add_argument("--no-charts", action="store_true", help="skip drawing charts")
    p.add_argument("--no-cache", action="store_true",
                   help="extract every document again instead of reusing .cache/figures/")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("extract", parents=[common, running], help="extract claims from any inputs into a package folder",
                       description="INPUT is a .txt file, a folder of them, or a .csv/.jsonl corpus with columns "
                                   "id and text (optional published, title, url, publisher), possibly compressed "
                                   "(.csv.gz, .jsonl.gz, .bz2, .xz), or a .parquet corpus (needs pyarrow).")
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUTDIR", help="package folder to write")
    p.add_argument("--charts", action="store_true", help="also draw charts into OUTDIR/charts")
    p.add_argument("--reviews", type=Path, metavar="FILE",
                   help="apply a reviews file (confirm, correct or reject rows by id; see the README)")
    p.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                   help="run extraction on a Dask cluster (e.g. tcp://host:8786) instead of local processes")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("validate", parents=[common], help="validate a package: schemas, keys and provenance",
                       description="Check types, constraints, keys, foreign keys, and that every quote is the "
                                   "document text at start:end. Exit 0 when valid, 1 with a report otherwise.")
    p.add_argument("package", nargs="?", type=Path, metavar="PATH_TO_datapackage.json")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("plot", parents=[common], help="draw the charts of any package",
                       description="Draw the charts of a package from its CSVs alone, and index.html: the texts with "
                                   "every claim highlighted, the charts and a table of claims.")
    p.add_argument("package", type=Path, metavar="PACKAGE")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("evaluate", parents=[common], help="score document casualty totals against a gold CSV",
                       description="GOLD.csv has columns id,text,killed,wounded (one incident description per "
                                   "row). Prints the exact-match rate of the per-document killed and wounded "
                                   "totals, overall and on non-zero gold, and lists misses.")
    p.add_argument("gold", type=Path, metavar="GOLD.csv")
    p.add_argument("--misses", type=int, default=20, metavar="N", help="list the first N misses (default 20)")
    p.set_defaults(func=cmd_evaluate)
    return top


def _show_warning(command: str):
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, InputWarning):
            print(f"figures {command}: warning: {message}", file=sys.stderr)
        else:
            print(warnings.formatwarning(message, category, filename, lineno, line), end="", file=sys.stderr)
    return show


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    name = f"figures {args.command}"
    with warnings.catch_warnings():
        warnings.simplefilter("always", InputWarning)
        warnings.showwarning = _show_warning(args.command)
        try:
            return args.func(args)
        except FiguresError as exc:
            if args.debug:
                raise
            print(f"{name}: {exc.message}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:
            if args.debug:
                raise
            print(f"{name}: interrupted; the previous output is unchanged", file=sys.stderr)
            return EXIT_INTERRUPTED
        except OSError as exc:
            if args.debug:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"{name}: {where}{exc.strerror or exc}; check the path, permissions and free space "
                  "(the previous output is unchanged)", file=sys.stderr)
            return EXIT_INPUT
        except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug
            if args.debug:
                raise
            detail = (str(exc).splitlines() or [""])[0]
            print(f"{name}: internal error ({type(exc).__name__}: {detail}); the previous output is unchanged; "
                  "rerun with --debug and report it", file=sys.stderr)
            return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
