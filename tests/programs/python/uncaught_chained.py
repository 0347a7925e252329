# An uncaught chained exception with a note, raised from nested calls: exit 1, traceback on stderr.
class ConfigError(Exception):
    pass


def read_setting(settings, key):
    try:
        return int(settings[key])
    except (KeyError, ValueError) as e:
        err = ConfigError(f"setting {key!r} is invalid")
        err.add_note("check config.ini, section [server]")
        raise err from e


settings = {"port": "80a", "workers": "4"}
print("workers", read_setting(settings, "workers"))
print("port", read_setting(settings, "port"))
