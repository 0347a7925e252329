# string: templates, formatter parsing, constants, case handling and common text utilities.
import string

t = string.Template("Dear $name, your order #${order_id} ships on $date. $$5 off next time!")
print(t.substitute(name="Ada", order_id=1815, date="2024-12-10"))
print(t.safe_substitute(name="Bob"))
try:
    t.substitute(name="Eve")
except KeyError as e:
    print("KeyError:", e)
print(t.get_identifiers(), t.is_valid())
print(list(string.Formatter().parse("Hello {name!r:>10} and {0[1]}!")))
print(string.ascii_letters, string.digits, string.hexdigits, string.punctuation)
print(repr(string.whitespace), len(string.printable))
print(string.capwords("the quick  brown fox"), "hello world".title(), "ǆemal".capitalize())
print("Straße".upper(), "Straße".casefold(), "İ".lower().encode(), "ΣΑΣ".lower())
print("a,b,,c".split(","), "a b  c".split(), "k=v=w".partition("="), "path/to/file".rpartition("/"))
print("  x  ".center(9, "."), "42".zfill(5), "-42".zfill(5), "abc".rjust(6, "0"), "tab\tsep".expandtabs(4))
print("hello".translate(str.maketrans("el", "ip")), "hello".translate({ord("l"): None}))
print("Madam".lower()[::-1] == "madam", "racecar".count("a"), "banana".rfind("an"), "banana".replace("a", "o", 2))
print("ABC".isupper(), "abc1".isalnum(), "١٢٣".isdigit(), "½".isnumeric(), "x y".isidentifier(), "snake_case".isidentifier())
print(", ".join(sorted({"pear", "apple", "fig"})), "-".join("abc"), "prefix_name".removeprefix("prefix_"), "file.txt".removesuffix(".txt"))
