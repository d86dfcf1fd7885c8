"""Runs a saga forward; on a failed step, compensates the completed steps in reverse order.

The saga row is saved after every step and every compensation, so a crash leaves a record of what
was done; `recover_orphans` compensates sagas whose runner died mid-way.

Final status: `completed` (every step done); `compensated` (a step failed after at least one step
was done, and every compensation succeeded); `failed` (the first step failed, so nothing needed
undoing, or a compensation failed and the saga's effects are only partly undone).
"""
from typing import Any, Dict, List

from .saga_steps import SAGAS, Context, Step, StepError

INJECTED_FAILURE = "failure injected by fail_at"


def _error_detail(exc: BaseException) -> Dict[str, Any]:
    if isinstance(exc, StepError):
        return {"error": str(exc), "upstream": exc.detail} if exc.detail is not None else {"error": str(exc)}
    return {"error": f"{type(exc).__name__}: {exc}"}


def run(saga: Dict[str, Any], payload: Dict[str, Any], backends: Any, store: Any) -> Dict[str, Any]:
    steps: List[Step] = SAGAS[saga["type"]]
    ctx = Context(saga["id"], payload, backends, store)
    saga["steps"] = []
    for step in steps:
        try:
            if saga.get("fail_at") == step.name:
                raise StepError(INJECTED_FAILURE)
            detail = step.action(ctx)
        except Exception as exc:
            saga["steps"].append({"name": step.name, "status": "failed", "detail": _error_detail(exc)})
            saga["status"] = "compensating"
            saga = store.save(saga)
            return compensate(saga, ctx)
        saga["steps"].append({"name": step.name, "status": "done", "detail": detail})
        saga = store.save(saga)
    saga["status"] = "completed"
    return store.save(saga)


def compensate(saga: Dict[str, Any], ctx: Context) -> Dict[str, Any]:
    by_name = {step.name: step for step in SAGAS[saga["type"]]}
    all_undone = True
    anything_done = False
    # By index: each save returns a fresh dict, and the changes must land in the current one.
    for index in reversed(range(len(saga["steps"]))):
        entry = saga["steps"][index]
        if entry["status"] != "done":
            continue
        anything_done = True
        step = by_name[entry["name"]]
        if step.compensate is None:
            entry["status"] = "compensated"
            entry["detail"] = {**entry["detail"], "compensation": "nothing to undo"}
        else:
            try:
                step.compensate(ctx, entry["detail"])
                entry["status"] = "compensated"
            except Exception as exc:
                all_undone = False
                entry["detail"] = {**entry["detail"], "compensation_error": _error_detail(exc)}
        saga = ctx.store.save(saga)
    saga["status"] = "compensated" if anything_done and all_undone else "failed"
    return ctx.store.save(saga)


def recover_orphans(store: Any, backends: Any, idle_s: int) -> List[Dict[str, Any]]:
    """Compensate sagas left running by a dead runner (their password is gone, so going forward is impossible)."""
    recovered = []
    for saga in store.claim_orphans(idle_s):
        # Mark the interrupted step (if any) so the record says why the saga was rolled back.
        saga["steps"].append({"name": "recovery", "status": "failed",
                              "detail": {"error": f"runner stopped mid-saga; compensated after {idle_s}s idle"}})
        ctx = Context(saga["id"], dict(saga["payload"]), backends, store)
        recovered.append(compensate(saga, ctx))
    return recovered
