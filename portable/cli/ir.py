"""`portable ir FILE.cu [--kernel K]`: print the IR after the pass pipeline."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("ir", help="print a file's kernel IR")
    p.add_argument("file")
    p.add_argument("-k", "--kernel", help="only this kernel")
    p.add_argument("-D", dest="defines", action="append", default=[], help="macro NAME[=VALUE]")
    p.set_defaults(func=run)


def parse_defines(items: list[str]) -> dict:
    return dict((d.split("=", 1) + ["1"])[:2] for d in items)


def run(args) -> int:
    import portable

    mod = portable.parse_cuda_file(args.file, defines=parse_defines(args.defines))
    kernels = [mod[args.kernel]] if args.kernel else list(mod)
    print("\n\n".join(str(k.ir) for k in kernels))
    return 0
