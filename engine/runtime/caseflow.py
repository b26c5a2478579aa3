"""The workflow class a case runs on: SpiffWorkflow's BpmnWorkflow with its "is there anything to do?" walks
answered from the task map first.

After every task it runs, SpiffWorkflow walks the task tree from the root three times: for WAITING tasks
to update, for READY automatic tasks to run, and to see whether anything is unfinished. On a case most
of those walks find nothing (a user task ran and the next one is READY and manual). The task map
(`workflow.tasks`) holds the same tasks as the tree, so a scan of it answers "nothing" (or "only this
one") at a fraction of a walk's cost; when it finds more, SpiffWorkflow's own walk runs, in its own order.
Each override is equivalent to the method it stands in for (tests/engine/test_caseflow.py runs every
model both ways).

Subprocesses keep SpiffWorkflow's classes, and a case that has one keeps SpiffWorkflow's `_do_engine_steps`
(its walk goes into subprocesses).
"""
from __future__ import annotations

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow


class CaseWorkflow(BpmnWorkflow):
    """A BpmnWorkflow whose idle walks are skipped (stored as "BpmnWorkflow": engine/runtime/state.py)."""

    completed: bool  # SpiffWorkflow's own flag, set once no task is unfinished

    def update_waiting_tasks(self) -> None:
        if any(t.state == TaskState.WAITING for t in self.tasks.values()):
            super().update_waiting_tasks()

    def is_completed(self) -> bool:
        if not self.completed and not any(t.state & TaskState.NOT_FINISHED_MASK for t in self.tasks.values()):
            self.completed = True
        return self.completed

    def _do_engine_steps(self, will_complete_task=None, did_complete_task=None) -> bool:
        # SpiffWorkflow's pass runs each active subprocess, then the READY automatic tasks of this workflow in
        # the order of its walk (which goes into subprocesses too), and reports whether it ran any or started a
        # subprocess. Without subprocesses: no such task, nothing done; one, that one run.
        if self.subprocesses:
            return super()._do_engine_steps(will_complete_task, did_complete_task)
        automatic = [t for t in self.tasks.values() if t.state == TaskState.READY and not t.task_spec.manual]
        if len(automatic) != 1:
            return bool(automatic) and super()._do_engine_steps(will_complete_task, did_complete_task)
        task = automatic[0]
        if will_complete_task is not None:
            will_complete_task(task)
        task.run()
        if did_complete_task is not None:
            did_complete_task(task)
        return True
