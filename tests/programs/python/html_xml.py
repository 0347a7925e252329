# html and xml: escaping, parsing HTML, building and parsing XML with ElementTree and minidom.
import html
import xml.dom.minidom
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

print(html.escape('<a href="x">Tom & Jerry\'s</a>'), html.unescape("&lt;p&gt;caf&eacute; &#8364; &#x1F600;"))


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.text, self.depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.depth += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        self.depth -= 1

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


page = """<!DOCTYPE html><html><head><title>Docs &amp; more</title></head>
<body><h1>Index</h1><ul><li><a href="/a">A</a></li><li><a href='/b?x=1&amp;y=2'>B</a></li></ul>
<p>Broken <b>markup<p>still parsed</body></html>"""
p = LinkCollector()
p.feed(page)
print(p.links, p.text)

root = ET.Element("catalog", version="2")
for i, (title, price) in enumerate([("Dune", "9.99"), ("Neuromancer", "7.50"), ("Solaris & co", "12.00")]):
    book = ET.SubElement(root, "book", id=f"b{i}")
    ET.SubElement(book, "title").text = title
    ET.SubElement(book, "price", currency="EUR").text = price
ET.indent(root)
text = ET.tostring(root, encoding="unicode")
print(text)
parsed = ET.fromstring(text)
print([b.get("id") for b in parsed.iter("book")], parsed.find("book[@id='b1']/title").text)
print(sum(float(p.text) for p in parsed.iterfind(".//price")), [t.text for t in parsed.findall("./book/title")])
ns = ET.fromstring('<r xmlns:x="urn:x"><x:item>1</x:item><x:item>2</x:item></r>')
print([e.text for e in ns.findall("x:item", {"x": "urn:x"})])
dom = xml.dom.minidom.parseString("<a><b c='1'>text</b><d/></a>")
print(dom.toprettyxml(indent="  "), end="")
try:
    ET.fromstring("<unclosed>")
except ET.ParseError as e:
    print("ParseError:", e)
