"""Workflows: validation, CRUD in postgres, and runs (each step one mcp-server tool call).

A step's string arguments may refer to earlier results: "${steps.0.id}" is replaced by the `id`
of step 0's result, so a workflow can create a record and then update it.
"""
import datetime
import re
import uuid
from typing import Any, Callable, Dict, List

import psycopg2
import psycopg2.errors
import psycopg2.extras

MAX_STEPS = 50
MAX_NAME = 200
_REFERENCE = re.compile(r"\$\{steps\.(\d+)((?:\.[A-Za-z0-9_]+)*)\}")


class WorkflowError(Exception):
    def __init__(self, status: int, error: str, detail: Any = None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.detail = detail


def validate(body: Dict[str, Any]) -> Dict[str, Any]:
    """{name, steps:[{tool, arguments}]} checked and normalized; WorkflowError(400) otherwise."""
    problems: List[str] = []
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name must be a non-empty string")
    elif len(name) > MAX_NAME:
        problems.append(f"name is longer than {MAX_NAME} characters")
    steps = body.get("steps")
    clean_steps: List[Dict[str, Any]] = []
    if not isinstance(steps, list) or not steps:
        problems.append("steps must be a non-empty list")
    elif len(steps) > MAX_STEPS:
        problems.append(f"at most {MAX_STEPS} steps")
    else:
        for index, step in enumerate(steps):
            if not isinstance(step, dict) or not isinstance(step.get("tool"), str) or not step["tool"].strip():
                problems.append(f"steps[{index}].tool must be a non-empty string")
                continue
            arguments = step.get("arguments", {})
            if not isinstance(arguments, dict):
                problems.append(f"steps[{index}].arguments must be an object")
                continue
            for ref in _references(arguments):
                if ref >= index:
                    problems.append(f"steps[{index}] refers to steps.{ref}, which has not run yet")
            clean_steps.append({"tool": step["tool"].strip(), "arguments": arguments})
    if problems:
        raise WorkflowError(400, "invalid workflow", problems)
    return {"name": name.strip(), "steps": clean_steps}


def _references(value: Any) -> List[int]:
    if isinstance(value, str):
        return [int(m.group(1)) for m in _REFERENCE.finditer(value)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def resolve(value: Any, results: List[Any]) -> Any:
    """`value` with ${steps.N.path} replaced from earlier results (a whole-string reference keeps its type)."""
    if isinstance(value, dict):
        return {k: resolve(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, results) for v in value]
    if not isinstance(value, str):
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _lookup(results, whole)
    return _REFERENCE.sub(lambda m: str(_lookup(results, m)), value)


def _lookup(results: List[Any], match: "re.Match[str]") -> Any:
    current: Any = results[int(match.group(1))]
    for key in filter(None, match.group(2).split(".")):
        if isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        elif isinstance(current, dict) and key in current:
            current = current[key]
        else:
            raise KeyError(f"{match.group(0)}: no {key!r} in the result of step {match.group(1)}")
    return current


def _public(row: Dict[str, Any]) -> Dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "steps": row["steps"],
            "created_at": row["created_at"].isoformat(), "updated_at": row["updated_at"].isoformat()}


class WorkflowStore:
    def __init__(self, db: Any):
        self._db = db

    def create(self, body: Dict[str, Any]) -> Dict[str, Any]:
        wf = validate(body)
        try:
            with self._db.transaction() as cur:
                cur.execute(
                    "INSERT INTO workflows (id, name, steps) VALUES (%s, %s, %s) RETURNING *",
                    (uuid.uuid4().hex, wf["name"], psycopg2.extras.Json(wf["steps"])),
                )
                return _public(cur.fetchone())
        except psycopg2.errors.UniqueViolation:
            raise WorkflowError(409, "workflow name already exists", wf["name"]) from None

    def list(self) -> List[Dict[str, Any]]:
        with self._db.transaction() as cur:
            cur.execute("SELECT * FROM workflows ORDER BY created_at, id")
            return [_public(row) for row in cur.fetchall()]

    def get(self, workflow_id: str) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute("SELECT * FROM workflows WHERE id = %s", (workflow_id,))
            row = cur.fetchone()
        if row is None:
            raise WorkflowError(404, "workflow not found", workflow_id)
        return _public(row)

    def replace(self, workflow_id: str, body: Dict[str, Any]) -> Dict[str, Any]:
        wf = validate(body)
        try:
            with self._db.transaction() as cur:
                cur.execute(
                    "UPDATE workflows SET name = %s, steps = %s, updated_at = now() WHERE id = %s RETURNING *",
                    (wf["name"], psycopg2.extras.Json(wf["steps"]), workflow_id),
                )
                row = cur.fetchone()
        except psycopg2.errors.UniqueViolation:
            raise WorkflowError(409, "workflow name already exists", wf["name"]) from None
        if row is None:
            raise WorkflowError(404, "workflow not found", workflow_id)
        return _public(row)

    def delete(self, workflow_id: str) -> Dict[str, Any]:
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM workflows WHERE id = %s RETURNING id", (workflow_id,))
            if cur.fetchone() is None:
                raise WorkflowError(404, "workflow not found", workflow_id)
        return {"id": workflow_id, "deleted": True}

    def runs(self, workflow_id: str) -> List[Dict[str, Any]]:
        self.get(workflow_id)
        with self._db.transaction() as cur:
            cur.execute("SELECT * FROM workflow_runs WHERE workflow_id = %s ORDER BY started_at DESC, id", (workflow_id,))
            return [_run_public(row) for row in cur.fetchall()]

    def run(self, workflow_id: str, call_tool: Callable[[str, Dict[str, Any]], Any]) -> Dict[str, Any]:
        """Run the steps in order, stopping at the first failure; the run row is written before and after.

        Any exception from `call_tool` (a tool error, or mcp-server unreachable) fails that step; an
        exception with `as_error()` supplies the step's error object.
        """
        workflow = self.get(workflow_id)
        run_id = uuid.uuid4().hex
        started = _now()
        with self._db.transaction() as cur:
            cur.execute(
                "INSERT INTO workflow_runs (id, workflow_id, status, started_at) VALUES (%s, %s, 'running', %s)",
                (run_id, workflow_id, started),
            )
        results: List[Dict[str, Any]] = []
        outputs: List[Any] = []
        status = "succeeded"
        for index, step in enumerate(workflow["steps"]):
            entry: Dict[str, Any] = {"step": index, "tool": step["tool"]}
            try:
                arguments = resolve(step["arguments"], outputs)
            except (KeyError, IndexError) as exc:
                entry.update(arguments=step["arguments"], status="failed", error={"message": str(exc)})
                results.append(entry)
                status = "failed"
                break
            entry["arguments"] = arguments
            try:
                output = call_tool(step["tool"], arguments)
            except Exception as exc:
                as_error = getattr(exc, "as_error", None)
                error = as_error() if as_error else {"message": f"{type(exc).__name__}: {exc}"}
                entry.update(status="failed", error=error)
                results.append(entry)
                status = "failed"
                break
            entry.update(status="succeeded", result=output)
            results.append(entry)
            outputs.append(output)
        for index in range(len(results), len(workflow["steps"])):
            results.append({"step": index, "tool": workflow["steps"][index]["tool"], "status": "skipped"})
        finished = _now()
        with self._db.transaction() as cur:
            cur.execute(
                "UPDATE workflow_runs SET status = %s, results = %s, finished_at = %s WHERE id = %s RETURNING *",
                (status, psycopg2.extras.Json(results), finished, run_id),
            )
            return _run_public(cur.fetchone())


def _run_public(row: Dict[str, Any]) -> Dict[str, Any]:
    return {"run_id": row["id"], "workflow_id": row["workflow_id"], "status": row["status"],
            "results": row["results"], "started_at": row["started_at"].isoformat(),
            "finished_at": row["finished_at"].isoformat() if row["finished_at"] else None}


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)
