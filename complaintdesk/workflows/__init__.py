"""BPMN process definitions and versions, process instances, work items (the inbox) and the operations on them."""
