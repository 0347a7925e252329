# An uncaught ExceptionGroup from several failed tasks: exit 1, the group's tree on stderr.
def validate(record):
    errors = []
    if not record.get("email", "").count("@") == 1:
        errors.append(ValueError(f"bad email: {record.get('email')!r}"))
    if not isinstance(record.get("age"), int):
        errors.append(TypeError(f"age must be int, not {type(record.get('age')).__name__}"))
    if errors:
        raise ExceptionGroup(f"record {record['id']} invalid", errors)


problems = []
for rec in [{"id": 1, "email": "a@b.c", "age": 3}, {"id": 2, "email": "nope", "age": "x"}, {"id": 3, "age": 5}]:
    try:
        validate(rec)
        print("ok", rec["id"])
    except ExceptionGroup as eg:
        problems.append(eg)
raise ExceptionGroup("validation failed", problems)
