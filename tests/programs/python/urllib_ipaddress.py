# urllib.parse and ipaddress: URL building and parsing, query strings, subnets and address math.
import ipaddress
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlencode, urljoin, urlparse, urlsplit, urlunsplit

u = urlparse("https://user:pw@api.example.com:8443/v1/items;type=a?q=red shoes&page=2&tag=x&tag=y#frag")
print(u.scheme, u.netloc, u.hostname, u.port, u.path, u.params, u.query, u.fragment, u.username)
print(parse_qs(u.query), urlsplit("//host/path").netloc)
print(urlencode({"q": "naïve café", "n": 3, "list": ["a", "b"]}, doseq=True), quote("a b/c?d"), quote_plus("a b/c"))
print(unquote("%E2%82%AC%20sign"), urljoin("https://x.org/a/b/c", "../d?e=1"), urljoin("https://x.org/a/", "/root"))
print(urlunsplit(("https", "example.com", "/p", "a=1", "")), urlparse("mailto:someone@example.com").path)

net = ipaddress.ip_network("10.20.0.0/22")
print(net, net.num_addresses, net.netmask, net.broadcast_address, net.hostmask, net.prefixlen)
print([str(s) for s in net.subnets(new_prefix=24)], list(net.hosts())[:3])
addr = ipaddress.ip_address("10.20.3.77")
print(addr in net, addr + 1000, int(addr), addr.is_private, addr.reverse_pointer)
v6 = ipaddress.ip_address("2001:db8::8a2e:370:7334")
print(v6.exploded, v6.compressed, v6.version, ipaddress.ip_address("::ffff:192.0.2.1").ipv4_mapped)
print(list(ipaddress.collapse_addresses([ipaddress.ip_network("192.0.2.0/25"), ipaddress.ip_network("192.0.2.128/25")])))
print(ipaddress.ip_interface("192.168.1.5/24").network, ipaddress.ip_address("127.0.0.1").is_loopback)
print(sorted(ipaddress.ip_address(a) for a in ["10.0.0.10", "10.0.0.9", "9.255.255.255"]))
try:
    ipaddress.ip_network("10.0.0.1/24")
except ValueError as e:
    print("ValueError:", e)
