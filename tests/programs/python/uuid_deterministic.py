# uuid: name-based UUIDs are deterministic; for uuid4 print only its version and variant.
import uuid

for ns_name in ["NAMESPACE_DNS", "NAMESPACE_URL", "NAMESPACE_OID", "NAMESPACE_X500"]:
    ns = getattr(uuid, ns_name)
    print(ns_name, ns, uuid.uuid3(ns, "example.org"), uuid.uuid5(ns, "example.org"))
u = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/users/42")
print(u.hex, u.int, u.urn, u.version, u.variant, u.bytes.hex(), u.bytes_le.hex())
print(u.fields, u.time_low, u.node)
parsed = uuid.UUID("{12345678-1234-5678-1234-567812345678}")
print(parsed, parsed == uuid.UUID("12345678123456781234567812345678"), str(parsed).upper())
print(uuid.UUID(bytes=bytes(range(16))), uuid.UUID(int=1), uuid.UUID(fields=(1, 2, 3, 4, 5, 6)))
r = uuid.uuid4()
print(r.version, r.variant, len(str(r)), r != uuid.uuid4())
print(sorted([uuid.uuid5(uuid.NAMESPACE_DNS, n) for n in ["b", "a", "c"]]))
try:
    uuid.UUID("not-a-uuid")
except ValueError as e:
    print("ValueError:", e)
print(uuid.RESERVED_NCS, uuid.RFC_4122, uuid.UUID(int=0))
