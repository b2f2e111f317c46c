"""Publish the shipped processes (complaintdesk/workflows/shipped/*.bpmn) as version 1.

A plain insert of BPMN files that a test publishes through the publish validator
(workflows/tests/test_shipped.py). A definition whose key exists already is left alone.
"""

from typing import Any

from django.db import migrations
from django.utils import timezone


def publish_shipped_processes(apps: Any, schema_editor: Any) -> None:
    from complaintdesk.workflows.bpmn import read_document
    from complaintdesk.workflows.shipped import SHIPPED_PROCESSES

    ProcessDefinition = apps.get_model("workflows", "ProcessDefinition")
    ProcessVersion = apps.get_model("workflows", "ProcessVersion")
    now = timezone.now()
    for shipped in SHIPPED_PROCESSES:
        if ProcessDefinition.objects.filter(key=shipped.key).exists():
            continue
        xml = shipped.read_xml()
        doc = read_document(xml)
        definition = ProcessDefinition.objects.create(key=shipped.key, name=shipped.name, name_en=shipped.name_en,
                                                      description=shipped.description, created_at=now)
        ProcessVersion.objects.create(definition=definition, version=1, bpmn_xml=xml, status="published",
                                      process_id=doc.process_id, nodes=doc.describe(), checksum=doc.checksum,
                                      created_at=now, published_at=now)


def keep_shipped_processes(apps: Any, schema_editor: Any) -> None:
    # Versions that instances ran on are protected; keep everything.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
    ]

    operations = [migrations.RunPython(publish_shipped_processes, keep_shipped_processes)]
