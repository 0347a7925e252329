# sys.argv and argparse: sub-commands, options, repeated flags, positional args, errors.
import argparse
import sys

print(sys.argv)
parser = argparse.ArgumentParser(prog="tool", description="demo")
parser.add_argument("-v", "--verbose", action="count", default=0)
sub = parser.add_subparsers(dest="command", required=True)
rep = sub.add_parser("report")
rep.add_argument("--format", choices=["csv", "json"], default="json")
rep.add_argument("--limit", type=int)
rep.add_argument("regions", nargs="*")
args = parser.parse_args()
print(args)
print(vars(args)["regions"])
print(parser.format_usage(), end="")
try:
    parser.parse_args(["report", "--format", "xml"])
except SystemExit as e:
    print("SystemExit", e.code)
parser.parse_args(["report", "--limit", "many"])
