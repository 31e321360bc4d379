"""`portable report FILE.cu [--json]`: per kernel, translated or not, the constructs it uses and
every diagnostic; `portable report --codes` prints the table of diagnostic codes (Markdown).

Exit status: 0 when every kernel reaches verified IR, 1 when some kernel fails, 2 when the file
itself cannot be read.
"""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("report", help="which kernels of a .cu file port, what they use, and why "
                       "not")
    p.add_argument("file", nargs="?", help="CUDA source (.cu)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-D", dest="defines", action="append", default=[], help="macro NAME[=VALUE]")
    p.add_argument("-I", dest="include_dirs", action="append", default=[],
                   help="include directory (repeatable)")
    p.add_argument("--instance", action="append", default=[],
                   help="also translate this template kernel instance, e.g. 'k<float, 256>'")
    p.add_argument("--codes", action="store_true",
                   help="print every diagnostic code as Markdown (docs/diagnostics.md) and exit")
    p.set_defaults(func=run)


def run(args) -> int:
    from portable.cli.ir import parse_defines
    from portable.errors import error
    from portable.report import analyse_file, codes_markdown, format_text

    if args.codes:
        print(codes_markdown(), end="")
        return 0
    if not args.file:
        raise error("PORT0001", "portable report needs a FILE.cu (or --codes)",
                    hint="portable report kernels.cu")
    r = analyse_file(args.file, parse_defines(args.defines) or None, args.include_dirs,
                     args.instance)
    if args.json:
        print(json.dumps(r.as_dict(), indent=2))
    else:
        print(format_text(r))
    return 0 if all(k.ok for k in r.kernels) else 1
