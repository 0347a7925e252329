# email: compose a multipart message with fixed headers, serialize it, parse it back.
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, parseaddr, parsedate_to_datetime

msg = EmailMessage()
msg["From"] = formataddr(("Zoë Example", "zoe@example.org"))
msg["To"] = "team@example.org, Bob <bob@example.org>"
msg["Subject"] = "Quarterly report – Q3 ✓"
msg["Date"] = "Tue, 01 Oct 2024 09:30:00 +0200"
msg["Message-ID"] = "<report-q3@example.org>"
msg.set_content("Hello team,\n\nthe report is attached.\n\n– Zoë\n")
msg.add_alternative("<p>Hello team,</p><p>the report is <b>attached</b>.</p>", subtype="html")
msg.add_attachment(b"region,total\nnorth,10\n", maintype="text", subtype="csv", filename="q3.csv")
msg.add_attachment(bytes(range(64)), maintype="application", subtype="octet-stream", filename="blob.bin")
for part in msg.walk():
    part.set_boundary(f"==boundary-{part.get_content_type().replace('/', '-')}==") if part.is_multipart() else None
raw = msg.as_bytes(policy=policy.SMTP)
print(raw.decode("utf-8"))
back = BytesParser(policy=policy.default).parsebytes(raw)
print(back["subject"], "|", back["from"].addresses[0].display_name, "|", [a.addr_spec for a in back["to"].addresses])
print(back.get_body(("plain",)).get_content().splitlines()[0], [p.get_filename() for p in back.iter_attachments()])
print(parsedate_to_datetime(back["date"]).isoformat(), parseaddr("Bob <bob@example.org>"))
