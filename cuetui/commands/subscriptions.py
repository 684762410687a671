"""`cuetui subscriptions`, `cuetui subscription-set`, `cuetui allocations`: the shows' shares of the
allocations, and the allocations' cores and hosts.

`cuetui subscriptions [--show S] [--json]`: per show × allocation, size, burst and the cores in use.
`cuetui subscription-set SHOW ALLOC [--size N] [--burst N]` sets them (`--json`: what changed, one
object). `cuetui allocations [--json]`: each allocation's tag, cores, idle cores and hosts.

Everything here is in cores, text and --json alike: the gateway's core units (hundredths of a core) are
divided on the way in and multiplied on the way out (`Subscription.size_cores`, `FarmActions`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cuetui.commands import _common

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient


def _cores(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of cores: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("cores cannot be negative")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui subscriptions`, `cuetui subscription-set` and `cuetui allocations`."""
    p = sub.add_parser("subscriptions", help="each show's size, burst and cores in use per allocation")
    p.add_argument("--show", dest="filter_shows", action="append", metavar="SHOW", help="only this show (repeat)")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_subscriptions)

    p = sub.add_parser("subscription-set", help="set a show's size and/or burst in an allocation")
    p.add_argument("show", help="show name")
    p.add_argument("alloc", help="allocation name (facility.alloc)")
    p.add_argument("--size", type=_cores, help="cores the show is guaranteed")
    p.add_argument("--burst", type=_cores, help="most cores the show may hold")
    p.add_argument("--json", action="store_true", help="print what changed as one JSON object")
    p.set_defaults(func=cmd_subscription_set)

    p = sub.add_parser("allocations", help="allocations: tag, cores, idle cores, hosts")
    _common.add_json_flag(p)
    p.set_defaults(func=cmd_allocations)
    _common.add_examples(
        sub,
        {
            "subscriptions": ("cuetui subscriptions --show bigbuck",),
            "subscription-set": ("cuetui subscription-set nimbus local.general --burst 400",),
            "allocations": ("cuetui allocations --json | jq '.[].idle_cores'",),
        },
    )


def cmd_subscriptions(args: argparse.Namespace) -> int:
    """`cuetui subscriptions`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.commands.exits import EXIT_USAGE
        from cuetui.farm import format as fmt
        from cuetui.farm.output import Column, dumps, print_table
        from cuetui.farm.views.subscriptions import NoSuchPart, gather_subscriptions

        try:
            rows = await gather_subscriptions(client, args.filter_shows)
        except NoSuchPart as exc:
            _common.err(args, str(exc))
            return EXIT_USAGE
        if args.json:
            out = [
                {
                    "show": r.subscription.show_name,
                    "allocation": r.subscription.allocation_name,
                    "size": fmt.cores_number(r.subscription.size_cores),
                    "burst": fmt.cores_number(r.subscription.burst_cores),
                    "reserved_cores": fmt.cores_number(r.subscription.used_cores),
                    "idle_cores": r.allocation.totals.idle_cores if r.allocation else None,
                    "hosts": r.allocation.totals.hosts if r.allocation else None,
                }
                for r in rows
            ]
            sys.stdout.write(dumps(out) + "\n")
            sys.stdout.flush()
            return 0
        print_table(
            [
                Column("SHOW", lambda r: r.subscription.show_name),
                Column("ALLOCATION", lambda r: r.subscription.allocation_name),
                Column("SIZE", lambda r: fmt.cores(r.subscription.size_cores), right=True),
                Column("BURST", lambda r: fmt.cores(r.subscription.burst_cores), right=True),
                Column("USED", lambda r: fmt.cores(r.subscription.used_cores), right=True),
                Column("IDLE", lambda r: f"{r.allocation.totals.idle_cores:g}" if r.allocation else "", right=True),
                Column("HOSTS", lambda r: str(r.allocation.totals.hosts) if r.allocation else "", right=True),
            ],
            rows,
        )
        return 0

    return _common.run(args, body)


def cmd_subscription_set(args: argparse.Namespace) -> int:
    """`cuetui subscription-set SHOW ALLOC`."""
    from cuetui.commands.exits import EXIT_USAGE

    if args.size is None and args.burst is None:
        _common.err(args, "give --size and/or --burst")
        return EXIT_USAGE

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.commands.exits import EXIT_FAILURE
        from cuetui.commands.jobactions import _check_read_only
        from cuetui.farm import format as fmt
        from cuetui.farm.actions import FarmActions
        from cuetui.farm.output import dumps
        from cuetui.farm.views.subscriptions import NoSuchPart, find_subscription

        _check_read_only(settings, "set subscription")
        try:
            sub = await find_subscription(client, args.show, args.alloc)
        except NoSuchPart as exc:
            _common.err(args, str(exc))
            return EXIT_USAGE
        result = await FarmActions(client, read_only=settings.read_only).set_subscription(sub, args.size, args.burst)
        if not result.ok:
            _common.err(args, result.errors[0])
            return EXIT_FAILURE
        was_size, was_burst = fmt.cores_number(sub.size_cores), fmt.cores_number(sub.burst_cores)
        size = was_size if args.size is None else args.size
        burst = was_burst if args.burst is None else args.burst
        if args.json:
            changed = {"show": sub.show_name, "allocation": sub.allocation_name, "size": size, "burst": burst}
            changed["was"] = {"size": was_size, "burst": was_burst}
            sys.stdout.write(dumps(changed) + "\n")
        else:
            print(f"{sub.show_name} in {sub.allocation_name}: size {was_size} -> {size}, burst {was_burst} -> {burst}")
        sys.stdout.flush()
        return 0

    return _common.run(args, body)


def cmd_allocations(args: argparse.Namespace) -> int:
    """`cuetui allocations`."""

    async def body(settings: Settings, client: GatewayClient) -> int:
        from cuetui.farm.output import Column, dumps, print_table

        allocs = await client.get_allocations()
        if args.json:
            out = [
                {
                    "name": a.name,
                    "tag": a.tag,
                    "facility": a.facility,
                    "cores": a.totals.cores,
                    "idle_cores": a.totals.idle_cores,
                    "running_cores": a.totals.running_cores,
                    "hosts": a.totals.hosts,
                    "locked_hosts": a.totals.locked_hosts,
                    "down_hosts": a.totals.down_hosts,
                }
                for a in allocs
            ]
            sys.stdout.write(dumps(out) + "\n")
            sys.stdout.flush()
            return 0
        print_table(
            [
                Column("ALLOCATION", lambda a: a.name),
                Column("TAG", lambda a: a.tag),
                Column("CORES", lambda a: f"{a.totals.cores:g}", right=True),
                Column("IDLE", lambda a: f"{a.totals.idle_cores:g}", right=True),
                Column("RUNNING", lambda a: f"{a.totals.running_cores:g}", right=True),
                Column("HOSTS", lambda a: str(a.totals.hosts), right=True),
                Column("DOWN", lambda a: str(a.totals.down_hosts), right=True),
                Column("LOCKED", lambda a: str(a.totals.locked_hosts), right=True),
            ],
            allocs,
        )
        return 0

    return _common.run(args, body)
