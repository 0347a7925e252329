# textwrap and format specs: wrap, indent, shorten, tables with alignment and number formats.
import textwrap

para = ("Sandboxes let an agent run code it wrote without trusting it: the code cannot see the "
        "host's files, cannot reach the network and cannot outlive its time limit. ") * 2
print(textwrap.fill(para, width=40))
print(textwrap.fill(para, width=60, initial_indent="* ", subsequent_indent="  "))
print(textwrap.wrap("supercalifragilisticexpialidocious is long", width=10))
print(textwrap.wrap("supercalifragilisticexpialidocious", width=10, break_long_words=False))
print(textwrap.shorten(para, width=50, placeholder=" [...]"))
code = """
    def hello():
        return "world"
"""
print(textwrap.dedent(code).strip())
print(textwrap.indent("one\n\ntwo\n", "> "), end="")
print(textwrap.indent("one\n\ntwo\n", "| ", lambda line: True), end="")

rows = [("Widget", 4, 3.5), ("Gadget Pro Max", 12, 1234.5678), ("Nut", 1000, 0.012)]
print(f"{'name':<15}|{'qty':>6}|{'price':>12}|")
print("-" * 36)
for name, qty, price in rows:
    print(f"{name:<15.15}|{qty:>6,}|{price:>12,.2f}|")
print(f"{1234567.891:_.1f} {0.25:.1%} {12345:e} {255:#x} {255:#o} {255:08b} {-42:+d} {42:^9}|")
print(f"{'centered':*^20} {3.14159:.3g} {1e-7:g} {123456789:.3g} {'left':<8}| {'right':>8}|")
print("{:>{w}.{p}f}".format(3.14159265, w=12, p=4), "{0}{1}{0}".format("ab", "cd"), "%5.2f|%-6s|%03d" % (2.5, "x", 7))
print(format(1234.5, ",.2f"), format(0.5, ".0f"), format(1.5, ".0f"), format(2.5, ".0f"), str(1e22), repr(1e-5))
