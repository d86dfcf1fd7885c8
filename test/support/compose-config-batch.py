"""docker-compose 1.29's own CLI, `main()`, run for many `config` calls in one Python process.

Every `docker-compose` process spends about half a second importing compose before it reads a file;
the round-trip test asks for ~140 configs. This reads one JSON request per line on stdin
({"args": [...], "cwd": "...", "env": {...}}), runs the very same entry point with that argv,
working directory and environment, and writes one JSON line back: {"status", "stdout", "stderr"}.
"""
import io
import json
import logging
import os
import sys
from contextlib import redirect_stderr, redirect_stdout

from compose.cli.main import main

BASE_ENV = dict(os.environ)

for line in sys.stdin:
    request = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(BASE_ENV)
    os.environ.update(request.get("env", {}))
    os.chdir(request["cwd"])
    sys.argv = ["docker-compose", *request["args"]]
    status = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main()
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        except Exception as error:  # what the CLI would print as a traceback
            status = 1
            err.write(f"{type(error).__name__}: {error}\n")
    # main() adds a console handler bound to this call's stderr on every call: drop it.
    logging.getLogger().handlers.clear()
    sys.__stdout__.write(json.dumps({"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    sys.__stdout__.flush()
