"""SpiffWorkflow's parser as OneThing runs models: a service task is an external step.

OneThing calls no connectors. A `serviceTask`, whatever implementation its modeler named (`camunda:class`,
`camunda:delegateExpression`, `camunda:type="external"` with a topic, `flowable:class`, `zeebe:taskDefinition`,
`spiffworkflow:serviceTaskOperator`, or none), waits as a manual step: it appears on the worklist of its lane's
department (a step in no lane: every clerk's and the admin's), and a clerk or another department's system
completes it with its result, through the page or `POST /api/cases/<number>/steps/<step>/complete`, the same
path a connector's answer would take. Its kind stays `serviceTask` for the metrics.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.event_parsers import SpiffReceiveTaskParser
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.specs.defaults import ReceiveTask, UserTask


class _ReceiveTaskParser(SpiffReceiveTaskParser):
    """A receive task that names no message (Flowable's and RuoYi's 'wait here until triggered') would finish at
    once in SpiffWorkflow; it waits as an external step instead, like a service task."""

    def create_task(self):
        if self.node.get("messageRef"):
            return super().create_task()
        return UserTask(self.spec, self.bpmn_id, **self.bpmn_attributes)


class OneThingParser(SpiffBpmnParser):
    """SpiffBpmnParser with service tasks, and receive tasks that name no message, parsed as steps that wait."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (SpiffTaskParser, UserTask),
        full_tag("receiveTask"): (_ReceiveTaskParser, ReceiveTask),
    }
