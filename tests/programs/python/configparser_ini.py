# configparser: read an INI with defaults, interpolation and typed getters; write it back.
import configparser
import io

INI = """
[DEFAULT]
base_dir = /srv/app
log_level = info

[server]
host = 0.0.0.0
port = 8080
debug = no
workers = 4
log_file = %(base_dir)s/logs/server.log

[database]
url = postgres://db:5432/app
timeout = 2.5
log_level = warning
pool_sizes = 5, 10, 20
"""
cfg = configparser.ConfigParser()
cfg.read_string(INI)
print(cfg.sections(), list(cfg["server"]))
print(cfg.getint("server", "port"), cfg.getboolean("server", "debug"), cfg.getfloat("database", "timeout"))
print(cfg["server"]["log_file"], cfg["server"]["log_level"], cfg["database"]["log_level"])
print([int(x) for x in cfg["database"]["pool_sizes"].split(",")], cfg.get("server", "missing", fallback="n/a"))
cfg["cache"] = {"backend": "memory", "ttl": "60"}
cfg.set("server", "port", "9090")
cfg.remove_option("server", "debug")
out = io.StringIO()
cfg.write(out)
print(out.getvalue(), end="")
raw = configparser.RawConfigParser()
raw.read_string("[x]\nv = 100%% %(not)s\n")
print(raw.get("x", "v"))
try:
    cfg.read_string("[dup]\na=1\n[dup]\n")
except configparser.DuplicateSectionError as e:
    print("DuplicateSectionError:", e)
try:
    configparser.ConfigParser().read_string("[s]\nx = %(undefined)s\n") or cfg.get("nosuch", "x")
except configparser.Error as e:
    print(type(e).__name__)
