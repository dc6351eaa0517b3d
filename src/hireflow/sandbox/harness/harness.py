"""Python test harness, run inside the sandbox (standard library only).

Reads /scratch/job.json (deleted at once), loads /scratch/solution.py, calls the entrypoint for
each test's arguments and reports on fd 3, one JSON line each, marked with the run's nonce.
Expected values never enter the sandbox: the app compares what comes back.
"""

import json
import os
import sys
import traceback

LIMIT = 2000


def _main() -> None:
    with open("/scratch/job.json", encoding="utf-8") as f:
        job = json.load(f)
    os.remove("/scratch/job.json")
    nonce = job["nonce"]
    channel = os.fdopen(3, "w", encoding="utf-8")
    os.set_inheritable(3, False)
    pid = os.getpid()

    def emit(**fields: object) -> None:
        channel.write(json.dumps({**fields, "nonce": nonce}) + "\n")
        channel.flush()

    def finish() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # candidate threads or atexit hooks do not keep the run alive

    def text(exc: BaseException) -> str:
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:LIMIT]

    with open("/scratch/solution.py", encoding="utf-8") as f:
        source = f.read()
    namespace: dict[str, object] = {"__name__": "solution", "__file__": "/scratch/solution.py"}
    try:
        exec(compile(source, "solution.py", "exec"), namespace)  # noqa: S102 - sandboxed
    except MemoryError:
        emit(memory=True)
        finish()
    except BaseException as exc:  # anything the candidate's module does
        if os.getpid() != pid:
            os._exit(0)
        emit(load_error=text(exc))
        finish()
    entry = namespace.get(job["entrypoint"])
    if not callable(entry):
        emit(load_error=f"the code defines no function named {job['entrypoint']}")
        finish()
        return
    for index, args in enumerate(job["tests"]):
        try:
            value = entry(*args)
        except MemoryError:
            if os.getpid() != pid:
                os._exit(0)
            emit(memory=True)
            finish()
        except BaseException as exc:
            if os.getpid() != pid:
                os._exit(0)  # a forked copy of the harness must not report
            emit(test=index, error=text(exc))
            continue
        if os.getpid() != pid:
            os._exit(0)
        try:
            emit(test=index, value=json.dumps(value, allow_nan=False))
        except (TypeError, ValueError, RecursionError):
            emit(test=index, repr=repr(value)[:LIMIT])
    emit(done=True)
    finish()


_main()
