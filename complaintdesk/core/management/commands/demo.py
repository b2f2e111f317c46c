from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.core.outbox import do_settle_outbox_after, last_outbox_id
from complaintdesk.demo import (
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    DEFAULT_TICKETS,
    credentials_path,
    generate_demo,
    load_credentials,
)
from complaintdesk.tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "Seed a demo organisation (departments, ~20 users, customers, products and a year of complaints) "
        "and print the demo logins."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS,
                            help=f"how many complaints to generate (default {DEFAULT_TICKETS})")
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS,
                            help=f"how many customers to generate (default {DEFAULT_CUSTOMERS})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"random seed; the same seed gives the same data (default {DEFAULT_SEED})")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing but print the stored demo logins when the database has tickets")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tickets"] < 0 or options["customers"] < 1:
            raise CommandError("--tickets must be >= 0 and --customers >= 1")
        if options["if_empty"]:
            existing = Ticket.objects.count()
            if existing:
                self.stdout.write(f"数据库已有 {existing} 张工单，跳过演示数据 / "
                                  f"the database already has {existing} tickets; no demo data generated.")
                stored = load_credentials()
                if stored:
                    self.stdout.write(stored.rstrip("\n"))
                else:
                    self.stdout.write(f"no stored demo logins ({credentials_path()} is missing); "
                                      "use `complaintdesk createadmin` to set an admin password.")
                return

        self.stdout.write(f"生成演示数据 / generating demo data: {options['tickets']} tickets, "
                          f"{options['customers']} customers (seed {options['seed']}) ...")
        report_every = max(500, options["tickets"] // 5)
        last = [0]

        def progress(done: int, total: int) -> None:
            if done - last[0] >= report_every or done == total:
                last[0] = done
                self.stdout.write(f"  {done}/{total} tickets")
                sys.stdout.flush()

        outbox_before = last_outbox_id()
        result = generate_demo(tickets=options["tickets"], customers=options["customers"], seed=options["seed"],
                               progress=progress)
        settled = do_settle_outbox_after(outbox_before, note="demo history: settled without delivery")
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result.timings.items())
        self.stdout.write(f"done: {result.tickets} tickets, {result.customers} customers, {len(result.accounts)} "
                          f"users in {result.seconds:.1f}s ({phases}); "
                          f"{settled} historical events settled without delivery")
        self.stdout.write(result.credentials.rstrip("\n"))
        self.stdout.write(f"(saved to {credentials_path()}, readable by you only)")
